// Step importance, the counting half: the funnel's steps as milestones on the way to its goal
// (the last required step), counted per person as a bit pattern, so a model can say which
// milestones predict the goal. The model is src/experiments/logistic.h's; the engine joins them
// (engine/funnel_insights.cc). Rules in src/analytics/README.md ("Step importance").
//
// Thread-safety: like funnel_query.h.
#pragma once

#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/funnel_query.h"

namespace signpost::analytics {

// People with the same milestones and split: bit j of `milestones` is MilestoneCounts::steps[j].
struct MilestonePattern {
  uint64_t milestones = 0;
  bool held_out = false;  // one person in five, by a hash of the profile id: the test set
  uint64_t goal = 0, no_goal = 0;
};

struct MilestoneCounts {
  int goal = 0;            // 0-based step index of the goal (the last required step)
  std::vector<int> steps;  // 0-based indices of the milestone steps (every step but 1 and the goal)
  uint64_t entered = 0, reached_goal = 0;
  std::vector<MilestonePattern> patterns;  // sorted by (held_out, milestones)
};

// For every person with an event filling step 1 in the date range (their first such event is
// the entry): the goal is reached when an event filling the goal step follows within the window;
// milestone j is done when an event filling step j comes after the entry and before the goal event
// (or, without one, up to the end of the window) — in any order: steps here are milestones, not a
// sequence, so a required step is not a prerequisite of the goal. kInvalidArgument for a funnel of
// one required step or more than 63 milestones.
Result<MilestoneCounts> CountMilestones(const EventIndex& index, const FunnelDefinition& def,
                                        const FunnelOptions& options, const PropertySource* source);

}  // namespace signpost::analytics
