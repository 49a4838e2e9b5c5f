// Typed query and report of multi-path reporting on a funnel: the top event sequences between a
// required step and the next one (a path view, as Amplitude's Pathfinder or Mixpanel's Flows), the
// people of each `any_of` step by the alternative that filled it, and the completion of the people
// who filled each optional step against those who skipped it. The rules are in
// src/analytics/README.md ("Multi-path reporting"); the JSON is written by src/wire (wire/paths.h).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signpost/ids.h"
#include "signpost/queries.h"
#include "signpost/reports.h"

namespace signpost {

// Bounds of the query (refused with kInvalidArgument outside them).
inline constexpr int kMaxPathLength = 20;
inline constexpr int kMaxPathTop = 100;

struct FunnelPathsQuery {
  FunnelQuery funnel;  // the funnel and its population (segment, date range, overrides)
  int step = 1;        // 1-based, a required step before the last required one
  int max_length = 5;  // events kept per sequence, 1..kMaxPathLength; default 5
  int top = 10;        // sequences listed, 1..kMaxPathTop (the rest summed in `other`); default 10
  bool collapse_repeats = false;  // A, A, B is read as A, B; default off
};

// The people whose events after the step-K event began with `events` (and, with `more`, went on):
// every one of them when `more` is false did exactly these before reaching step K+1 or the end of
// the window.
struct PathSequence {
  std::vector<std::string> events;  // event names in order; empty: nothing (straight on, or idle)
  bool more = false;                // truncated at max_length: more events followed
  uint64_t people = 0, converted = 0;  // converted: reached the next required step
  double share = 0;                    // people / the people who reached step K
  double conversion = 0;               // converted / people
};

// One matcher of an `any_of` step: the people whose event filling the step matched it first.
struct PathAlternative {
  std::string label;  // "Data Imported where properties.rows > 0"
  std::string event;
  uint64_t people = 0;
  uint64_t converted = 0;  // of them, reached the next required step (0 when there is none)
  uint64_t completed = 0;  // of them, reached the funnel's last required step
  double share = 0;        // people / the people who filled the step
  double conversion = 0, completion = 0;
};

struct AnyOfBreakdown {
  int step = 0;  // 1-based
  std::string name;
  bool optional = false;
  int next_step = 0;  // the next required step after it (1-based); 0: none (the last step)
  std::string next_name;
  uint64_t people = 0;                        // filled the step
  std::vector<PathAlternative> alternatives;  // in definition order
};

// Among the people who reached the required step before an optional step: completion (the
// funnel's last required step) of those who filled it against those who did not.
struct OptionalStepEffect {
  int step = 0;  // 1-based
  std::string name;
  int after_step = 0;  // the required step before it (1-based)
  std::string after_name;
  uint64_t with = 0, with_completed = 0;
  uint64_t without = 0, without_completed = 0;
  double rate_with = 0, rate_without = 0, difference = 0;
  RateInterval difference_interval;  // Newcombe (1998) method 10, 95%
  double p_value = 1;                // Fisher's exact test, two-sided
};

struct FunnelPathsReport {
  FunnelId funnel;  // empty for an ad-hoc funnel
  int64_t version = 0;
  int step = 0;  // 1-based
  std::string step_name;
  int next_step = 0;
  std::string next_name;
  int goal_step = 0;  // the last required step
  std::string goal_name;
  int max_length = 5, top = 10;
  bool collapse_repeats = false;
  uint64_t reached = 0;    // people who reached `step` (one attempt a person: the best)
  uint64_t converted = 0;  // of them, reached `next_step`
  double rate = 0;
  uint64_t distinct = 0;   // distinct sequences counted
  uint64_t untracked = 0;  // people whose sequence came after the distinct-sequence cap (in other)
  std::vector<PathSequence> sequences;       // by people, then by the events' text
  PathSequence other;                        // everyone else who reached `step`
  std::vector<AnyOfBreakdown> any_of;        // every step with two or more matchers
  std::vector<OptionalStepEffect> optional;  // every optional step with a required step after it
};

}  // namespace signpost
