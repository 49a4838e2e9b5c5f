// Running a funnel over an EventIndex: the report, the people at a step, and the last completed
// step of one profile. Every rule is in src/analytics/README.md.
//
// Thread-safety: all functions take the index by const reference and may run concurrently with
// each other (hold the index's shared lock); they start `threads` worker threads and join them
// before returning.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/funnel_report.h"
#include "signpost/ids.h"
#include "signpost/queries.h"

namespace signpost::analytics {

// TrendUnit is the public query's (signpost/queries.h), and so is the breakdown attribution: where
// a breakdown value is read (the event of step 1, of the last step reached, or of step N).
using Attribution = BreakdownAttribution;
// "first" | "last" | "step:N"; kInvalidArgument otherwise.
inline Result<Attribution> ParseAttribution(std::string_view text) {
  return ParseBreakdownAttribution(text);
}

struct FunnelOptions {
  // Only attempts whose step-1 event is in [from, to). Default: all time.
  std::optional<TimeMs> from, to;
  // Only these profiles (a segment). Default (nullopt): everyone.
  std::optional<std::vector<ProfileId>> segment;
  // Report completion within each of these windows (e.g. 7d, 14d, 30d). Default none.
  std::vector<DurationMs> completion_windows;
  // Conversion trend by entry day or week. Default none.
  TrendUnit trend = TrendUnit::kNone;
  // Breakdown by "traits.x", "properties.x" or "context.x.y". Default none.
  std::string breakdown;
  Attribution attribution;
  // Breakdown rows kept; the rest are summed into "other". Default 10.
  int top = 10;
  // Worker threads. Default 2.
  int threads = 2;
  // Collect the time between steps and the time-to-convert histogram. Default true; off gives
  // counts only (what the benchmark compares with the SQL peers).
  bool timings = true;
  // Copied into the report.
  int64_t definition_version = 0;
};

// Runs `def` over `index`. Property columns the definition needs are loaded through `source`
// (may be null when none are needed or all are cached).
// Returns the report; kInvalidArgument for a bad option (e.g. attribution step out of range), or
// the source's error when a column cannot be loaded.
Result<FunnelReport> RunFunnel(const EventIndex& index, const FunnelDefinition& def,
                               const FunnelOptions& options, const PropertySource* source);

// A person in a people list (signpost/reports.h; `identities` is left empty here).
using FunnelPerson = ::signpost::FunnelPerson;

struct PeopleQuery {
  // Exactly one of: profiles that completed step k (reached it or beyond; for an optional step,
  // filled it), or profiles that reached required step k but not the next required step.
  int completed = 0;
  int dropped_at = 0;
  TimeMs now = 0;  // for stuck_ms; never read from a clock here
};

// The people of `def` (one row per profile, its best attempt, sorted by profile id).
// kInvalidArgument when neither or both of completed/dropped_at are set or out of range.
Result<std::vector<FunnelPerson>> FunnelPeople(const EventIndex& index, const FunnelDefinition& def,
                                               const FunnelOptions& options,
                                               const PeopleQuery& query,
                                               const PropertySource* source);

// The last completed (required) step of one profile: its best attempt under `def` and `options`
// (date range honoured). last_step 0 when the profile never entered. kNotFound for an unknown
// profile.
Result<FunnelPerson> LastCompletedStep(const EventIndex& index, const FunnelDefinition& def,
                                       const FunnelOptions& options, ProfileId profile, TimeMs now,
                                       const PropertySource* source);

// Where one profile stands in a funnel at one moment (journeys' `funnel:` branches, step-aware
// template values, step segments).
struct FunnelPosition {
  int last_step = 0;  // 1-based index of the last required step reached; 0 none
  std::string last_step_name;
  TimeMs last_step_at = 0;  // when it was reached (0 when none)
  int next_step = 0;        // the next required step (1-based); 0 when the funnel is complete
  std::string next_step_name;
};

// The position of `profile` in `def` as of `at`: its best attempt (as LastCompletedStep chooses
// it) over its events with timestamp <= at only — an event after `at` is never read, so a replay
// cannot see the future and a late-arriving event cannot change a past answer. An unknown profile
// (no events) is at step 0 with step 1 next. Thread-safe for concurrent readers of `index`.
Result<FunnelPosition> PositionAsOf(const EventIndex& index, const FunnelDefinition& def,
                                    const FunnelOptions& options, ProfileId profile, TimeMs at,
                                    const PropertySource* source);

}  // namespace signpost::analytics
