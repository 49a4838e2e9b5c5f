// Typed queries of the Engine's reports: what a funnel report, a funnel's people, a goal report,
// a holdout lift, a money report and a replay are asked for. The HTTP API and the command line
// build them at the edge (src/wire reads them from JSON, naming the field of a bad value); the
// engine reads only these types. Field defaults are in the comments.
//
// Thread-safety: plain values; the functions are pure and may run on any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/status.h"

namespace signpost {

// How a funnel's steps must follow each other (docs/CONTRACT.md, src/analytics/README.md).
enum class FunnelOrder { kOrdered, kStrict, kAny };
// Which attempts of a profile count: its best one, its first one, or every one.
enum class FunnelEntry { kAnyAttempt, kFirstEntry, kEachAttempt };
// The buckets of a conversion trend (UTC days, or weeks starting on Monday); kNone: no trend.
enum class TrendUnit { kNone, kDay, kWeek };

// Where a funnel breakdown's value is read: the event of step 1, of the last step reached, or of
// step N.
struct BreakdownAttribution {
  enum Kind { kFirst, kLast, kStep } kind = kFirst;
  int step = 1;  // kStep: 1-based
};

// "ordered" | "strict" | "any"; kInvalidArgument naming the choices otherwise.
Result<FunnelOrder> ParseFunnelOrder(std::string_view text);
const char* FunnelOrderName(FunnelOrder order);
// "any_attempt" | "first_entry" | "each_attempt"; kInvalidArgument naming the choices otherwise.
Result<FunnelEntry> ParseFunnelEntry(std::string_view text);
const char* FunnelEntryName(FunnelEntry entry);
// "first" (or "first_touch", or "") | "last" (or "last_touch") | "step:N" (N from 1);
// kInvalidArgument naming the choices otherwise.
Result<BreakdownAttribution> ParseBreakdownAttribution(std::string_view text);

// A funnel report: a stored funnel (`id`, at `version`) or an ad-hoc one (`steps`, else
// `definition`), with overrides of its window, order and entry, and how to report it.
struct FunnelQuery {
  FunnelId id;             // a stored funnel; empty for an ad-hoc one
  uint64_t version = 0;    // of the stored funnel; 0: the latest
  std::string steps;       // ad hoc: "Signed Up>Email Verified>Order Completed"
  std::string definition;  // ad hoc, when `steps` is empty: a funnel definition (JSON or YAML text)
  // Overrides of the definition; default: as defined.
  std::optional<DurationMs> window;
  std::optional<FunnelOrder> order;
  std::optional<FunnelEntry> entry;
  // Only attempts whose step-1 event is in [from, to). Default: all time.
  std::optional<TimeMs> from, to;
  SegmentId segment;      // only the members of this segment; default (empty) everyone
  std::string breakdown;  // "traits.x", "properties.x" or "context.x.y"; default none
  std::optional<BreakdownAttribution> breakdown_attribution;  // default first
  std::optional<int> top;  // breakdown rows kept (the rest summed into "other"); default 10
  std::optional<std::vector<DurationMs>> completion_windows;  // default none
  TrendUnit trend = TrendUnit::kNone;
};

// The people of a funnel: exactly one of `completed` (completed step k) or `dropped_at` (reached
// step k but not the next required one), 1-based; 0 means not given.
struct FunnelPeopleQuery {
  FunnelQuery funnel;
  int completed = 0;
  int dropped_at = 0;
};

// A journey's goal report (and its people).
struct GoalReportQuery {
  std::optional<TimeMs> from, to;      // only entries with entered_at in [from, to); default all
  TrendUnit trend = TrendUnit::kNone;  // attained over time by day (kNone: day) or week
  std::vector<SegmentId> segments;     // by_segment rows, in this order; default none
};

// A journey's holdout lift: on the goal and, with `funnel` (a stored funnel id), on its steps.
struct HoldoutLiftQuery {
  FunnelId funnel;  // a stored funnel; empty: none
};

// A journey's money report.
struct MoneyQuery {
  FunnelId funnel;                      // the goal steps (a stored funnel); empty: none
  std::map<std::string, double> costs;  // cost of one message per channel, overriding the
                                        // channels' `cost_per_message`; each >= 0
  std::string revenue;                  // the goal event's revenue property; "" = revenue
};

// A replay of `journey` on the stored events of [from, to] (from < to).
struct ReplayRequest {
  std::string journey;
  TimeMs from = 0, to = 0;
};

// A programme of journeys back-tested together (Engine::ReplayProgramme): one runtime runs them
// all, so every rule between journeys the live engine applies holds between them.
struct ProgrammeReplayRequest {
  std::vector<std::string> journeys;  // in this order; empty with `all`
  bool all = false;                   // every defined journey, by id
  TimeMs from = 0, to = 0;
};

// A what-if (Engine::CompareReplays): two versions of one journey replayed over the same history,
// each in the same programme (`with`: the other journeys replayed beside it; none by default).
struct ReplayComparisonRequest {
  std::string journey;
  uint64_t version_a = 0, version_b = 0;  // both stored versions of `journey`
  std::vector<std::string> with;
  bool with_all = false;  // every other defined journey
  TimeMs from = 0, to = 0;
};

// ---- privacy ------------------------------------------------------------------------------------
// Regulations, as Segment's regulation API names them (docs/CONTRACT.md, privacy): DELETE erases
// the person; SUPPRESS refuses their later events; SUPPRESS_WITH_DELETE does both; UNSUPPRESS lifts
// a suppression.
enum class RegulationType { kDelete, kSuppress, kSuppressWithDelete, kUnsuppress };
// How the ids of a regulation name people: as userIds, as anonymousIds, or as any identity
// ("user:X", "anon:X", or a bare id tried as a userId, then as an anonymousId).
enum class SubjectType { kUserId, kAnonymousId, kIdentity };

// "DELETE" | "SUPPRESS" | "SUPPRESS_WITH_DELETE" | "UNSUPPRESS"; kInvalidArgument naming the
// choices otherwise.
Result<RegulationType> ParseRegulationType(std::string_view text);
const char* RegulationTypeName(RegulationType type);
// "userId" | "anonymousId" | "identity"; kInvalidArgument naming the choices otherwise.
Result<SubjectType> ParseSubjectType(std::string_view text);
const char* SubjectTypeName(SubjectType type);

// Bounds of one regulation request: ids per request, bytes per id.
inline constexpr size_t kMaxRegulationIds = 100000;
inline constexpr size_t kMaxRegulationIdBytes = 1024;

// One regulation: what to do to the people `ids` name.
struct RegulationRequest {
  RegulationType type = RegulationType::kDelete;
  SubjectType subject = SubjectType::kIdentity;
  std::vector<std::string> ids;  // 1 to kMaxRegulationIds, each 1 to kMaxRegulationIdBytes bytes
};

// ---- audit log ---------------------------------------------------------------------------------
// Entries after `after` (a seq), oldest first, at most `limit` (with after = 0: the last `limit`),
// of one `action` when it is set.
struct AuditQuery {
  uint64_t after = 0;
  size_t limit = 100;
  std::string action;
};

}  // namespace signpost
