#include "experiments/experiment_lift.h"

#include <fmt/format.h>

namespace signpost::experiments {
namespace {

double GroupRate(GroupCounts g) {
  return g.profiles == 0 ? 0.0 : static_cast<double>(g.converted) / static_cast<double>(g.profiles);
}

}  // namespace

Result<Lift> HoldoutLift(GroupCounts treated, GroupCounts holdout, double level) {
  if (treated.converted > treated.profiles) {
    return Status::InvalidArgument(
        fmt::format("treated.converted: {} is more than the {} treated profiles", treated.converted,
                    treated.profiles));
  }
  if (holdout.converted > holdout.profiles) {
    return Status::InvalidArgument(
        fmt::format("holdout.converted: {} is more than the {} held-out profiles",
                    holdout.converted, holdout.profiles));
  }
  Lift lift;
  lift.treated_rate = GroupRate(treated);
  lift.holdout_rate = GroupRate(holdout);
  lift.absolute = lift.treated_rate - lift.holdout_rate;
  lift.absolute_interval = stats::NewcombeDifference(treated.converted, treated.profiles,
                                                     holdout.converted, holdout.profiles, level);
  if (lift.holdout_rate > 0) lift.relative = lift.treated_rate / lift.holdout_rate - 1;
  lift.relative_interval = stats::RelativeLift(treated.converted, treated.profiles,
                                               holdout.converted, holdout.profiles, level);
  return lift;
}

Result<std::vector<Lift>> StepLifts(uint64_t treated_entered, uint64_t holdout_entered,
                                    const std::vector<StepReached>& steps, double level) {
  std::vector<Lift> lifts;
  lifts.reserve(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    auto lift = HoldoutLift({treated_entered, steps[i].treated},
                            {holdout_entered, steps[i].holdout}, level);
    if (!lift.ok()) {
      return Status::InvalidArgument(fmt::format("steps[{}]: {}", i, lift.status().message()));
    }
    lifts.push_back(*lift);
  }
  return lifts;
}

}  // namespace signpost::experiments
