// Next best action, the counting half: for a funnel step k, the people who entered a journey while
// at step k (reached k, not yet k+1, the attempt's window still open), treated or held out, and
// whether they went on to step k+1 — per journey, per message step of it, for everyone and for
// each segment. The statistics (lift, Newcombe interval, the ranking) are
// src/experiments/next_best_action.h's; the engine joins the two and caches the result
// (engine/next_best_action_service.h, which states the population rules in full).
//
// Thread-safety: a pure function of a const index read under its shared lock; single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/funnel_query.h"
#include "signpost/status.h"

namespace signpost::analytics {

// Treated and held-out people of one action in one group, and how many of each converted.
struct ActionCell {
  uint64_t treated = 0, treated_converted = 0;
  uint64_t holdout = 0, holdout_converted = 0;
};

// A journey (step empty) or a message step of it, with one cell per group (0 = everyone, then
// the segments in the order given).
struct ActionCounts {
  std::string journey, step;
  std::vector<ActionCell> cells;
};

struct NextBestActionCounts {
  int step = 0, target = 0;           // 0-based step indices (target = the next required step)
  std::vector<uint64_t> at_step;      // per group: people who entered any journey at the step
  std::vector<ActionCounts> actions;  // sorted by journey, then step ("" first)
};

// Counts for required step `step` (1-based, before the last required one) of `def` over the
// index, one group per mask in `segments` (a byte per profile slot, 1 = member) besides everyone.
// Each person is counted by the attempt the people lists use (the best one), and once per journey
// (its first entry in the exposure below) and once per message step:
// - at the step: a `Journey Entered` event (properties.journey, properties.holdout) after the
//   event that reached step k and before the one that reached step k+1 — or, for a person who did
//   not reach k+1, with a timestamp inside the attempt's window (from its step-1 event,
//   inclusive);
// - converted: the attempt reached step k+1 (so after the entry, within the window);
// - a message step (journey J, step S) is counted for a treated person of J when a `Message
//   Delivered` of J and S comes after the entry and inside the same exposure (before step k+1);
//   its held-out people are J's held-out people (holdout members are sent nothing).
// kInvalidArgument for a step out of range; the source's error when a column cannot be loaded.
Result<NextBestActionCounts> CountNextBestActions(const EventIndex& index,
                                                  const FunnelDefinition& def,
                                                  const FunnelOptions& options, int step,
                                                  const std::vector<std::vector<uint8_t>>& segments,
                                                  const PropertySource* source);

}  // namespace signpost::analytics
