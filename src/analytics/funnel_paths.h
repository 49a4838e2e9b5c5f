// Multi-path reporting, the counting half: for a funnel and a required step K, one pass over the
// people who entered (one attempt a person: the best, as people lists and step drivers use) that
// counts the event sequences between step K and the next required step, the alternative that
// filled each `any_of` step, and completion with and without each optional step. The statistics of
// the optional steps (Newcombe interval, Fisher p-value) are the engine's, from src/experiments
// (engine/funnel_paths.cc). Rules in src/analytics/README.md ("Multi-path reporting").
//
// Thread-safety: like funnel_query.h (const index under its shared lock; `threads` workers joined
// before returning).
#pragma once

#include <cstddef>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/funnel_query.h"
#include "signpost/funnel_paths.h"

namespace signpost::analytics {

struct PathOptions {
  int step = 1;        // 1-based required step before the last required one
  int max_length = 5;  // 1..kMaxPathLength
  int top = 10;        // 1..kMaxPathTop
  bool collapse_repeats = false;
  // Distinct sequences each worker keeps (bounded memory: a sequence first seen after this is
  // counted in `other` and in `untracked`). Default 131,072 (about 20 MB a worker at most).
  size_t max_distinct = size_t{1} << 17;
};

// The report's counts, rates and shares (the optional steps' difference_interval and p_value are
// left for the caller). A sequence is the event names (track, page and screen events; identify,
// alias and group calls are bookkeeping and skipped) after the event that reached step K, up to,
// not including, the event that reached the next required step (a converter) or up to the end of
// the attempt's window (step-1 time + window, inclusive; a person who dropped), truncated to
// max_length with `more` set. kInvalidArgument for a step out of range or a bound outside its
// limits; the source's error when a column cannot be loaded.
Result<FunnelPathsReport> CountFunnelPaths(const EventIndex& index, const FunnelDefinition& def,
                                           const FunnelOptions& options, const PathOptions& paths,
                                           const PropertySource* source);

}  // namespace signpost::analytics
