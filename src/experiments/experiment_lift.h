// Holdout lift: how much more often treated profiles reach the goal (or a goal step) than the
// held-out ones, as an absolute difference of rates with its Newcombe interval and a relative lift
// with its Katz interval. Pure functions of counts; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "experiments/stats.h"
#include "signpost/status.h"

namespace signpost::experiments {

// One group of profiles and how many of them converted.
struct GroupCounts {
  uint64_t profiles = 0;
  uint64_t converted = 0;  // <= profiles
};

// The lift of treated over holdout (signpost/reports.h).
using Lift = ::signpost::RateLift;

// The lift of `treated` over `holdout` at confidence `level`. kInvalidArgument naming
// `treated.converted` or `holdout.converted` when a group converts more than it has.
Result<Lift> HoldoutLift(GroupCounts treated, GroupCounts holdout, double level = 0.95);

// How many of each group reached one goal step.
struct StepReached {
  uint64_t treated = 0, holdout = 0;
};

// One Lift per step, in order: the rate of reaching step i among the profiles that entered, treated
// against holdout. kInvalidArgument naming `steps[i]` when a step count exceeds its group's
// entered count.
Result<std::vector<Lift>> StepLifts(uint64_t treated_entered, uint64_t holdout_entered,
                                    const std::vector<StepReached>& steps, double level = 0.95);

}  // namespace signpost::experiments
