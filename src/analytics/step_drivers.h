// Step drivers, the counting half: for a funnel step k and its target (step k+1 or the goal), the
// two-by-two counts of every candidate — event names, (event, property, value), traits as of the
// step-k event, segments, received messages — among the people who reached step k: converted or
// dropped, with or without it. The statistics are src/experiments/association.h's; the engine
// joins the two (engine/funnel_insights.cc). Rules in src/analytics/README.md ("Step drivers").
//
// Thread-safety: like funnel_query.h (const index under its shared lock; `threads` workers joined
// before returning).
#pragma once

#include <string>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/funnel_query.h"
#include "signpost/insights.h"

namespace signpost::analytics {

struct DriverCandidates {
  // Event properties read on each event of the exposure ("properties.plan"): one candidate per
  // (event name, path, value).
  std::vector<rules::PropertyPath> properties;
  // Traits read as of the step-k event (the latest event at or before it that set the trait).
  std::vector<rules::PropertyPath> traits;
  // Segments: a name and a mask over profile slots (1 = member).
  struct Segment {
    std::string name;
    std::vector<uint8_t> slots;
  };
  std::vector<Segment> segments;
  // Received messages: `Message Delivered` events by properties.journey "/" properties.step.
  bool messages = true;
  // Values kept per (event, property) and per trait: the most frequent ones.
  int max_values = 20;
};

struct StepDriverCounts {
  int step = 0, target = 0;  // 0-based step indices
  uint64_t reached = 0;      // people who reached the step
  uint64_t converted = 0;    // of them, those who reached the target
  uint64_t values_dropped = 0;
  // Every candidate seen in the population with its counts (converted_with, dropped_with and the
  // complements); statistics not filled. Sorted by kind, event, path, value.
  std::vector<StepDriver> candidates;
};

// Counts for `step` (1-based, a required step before the last required one) and the next required
// step, or the last required step when `to_goal`. A person is counted once, by the attempt the
// people lists use (the best one). Candidates are read on the person's exposure: the events of
// the attempt from its step-1 event up to, not including, the event that reached the target for
// a converter, and up to the end of the attempt's window for a person who dropped — so nothing at
// or after the conversion can explain it. kInvalidArgument for a step out of range or a bad path;
// the source's error when a column cannot be loaded.
Result<StepDriverCounts> CountStepDrivers(const EventIndex& index, const FunnelDefinition& def,
                                          const FunnelOptions& options, int step, bool to_goal,
                                          const DriverCandidates& candidates,
                                          const PropertySource* source);

}  // namespace signpost::analytics
