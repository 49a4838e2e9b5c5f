// Next best action, the statistics half: from each journey's and message's treated and held-out
// counts among the people at one funnel step (analytics/next_best_action.h counts them), the lift
// of the k → k+1 conversion with its Newcombe interval (experiment_lift.h, stats.h: nothing is
// computed twice), the minimum-count rule, the ranking and the recommendation — or none when no
// interval's lower bound is above 0 ("not enough evidence"). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/experiment_lift.h"
#include "signpost/insights.h"
#include "signpost/status.h"

namespace signpost::experiments {

// One candidate action in one population.
struct ActionGroups {
  std::string journey, step;  // step "" for the journey itself
  GroupCounts treated, holdout;
};

// The table of one population (`segment`, "" for everyone; `at_step` people counted):
// - a row is tested when both its treated and its held-out group have at least `min_count` people;
// - a row is positive when tested and the lower bound of its lift's interval (treated rate minus
//   held-out rate, Newcombe method 10 at `level`) is above 0;
// - rows: positive first, then the other tested ones, then the untested; within each, by the lift
//   (largest first), then by action text;
// - recommended: the first positive row's action (the highest measured lift among those whose
//   interval excludes no effect), evidence "lift"; none positive: "" and evidence "none".
// kInvalidArgument when a group converts more than it has (naming the action).
Result<NextBestActionTable> RankNextBestActions(std::string segment, uint64_t at_step,
                                                const std::vector<ActionGroups>& actions,
                                                uint64_t min_count, double level = 0.95);

}  // namespace signpost::experiments
