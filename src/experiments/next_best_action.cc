#include "experiments/next_best_action.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>
#include <utility>

namespace signpost::experiments {

Result<NextBestActionTable> RankNextBestActions(std::string segment, uint64_t at_step,
                                                const std::vector<ActionGroups>& actions,
                                                uint64_t min_count, double level) {
  NextBestActionTable t;
  t.segment = std::move(segment);
  t.at_step = at_step;
  for (const ActionGroups& a : actions) {
    NextBestActionRow row;
    row.kind = a.step.empty() ? "journey" : "message";
    row.journey = a.journey;
    row.step = a.step;
    row.action = a.step.empty() ? a.journey : a.journey + "/" + a.step;
    row.treated = a.treated.profiles;
    row.treated_converted = a.treated.converted;
    row.holdout = a.holdout.profiles;
    row.holdout_converted = a.holdout.converted;
    auto lift = HoldoutLift(a.treated, a.holdout, level);
    if (!lift.ok())
      return Status::InvalidArgument(fmt::format("{}: {}", row.action, lift.status().message()));
    row.lift = *lift;
    row.tested = a.treated.profiles >= min_count && a.holdout.profiles >= min_count;
    row.positive = row.tested && row.lift.absolute_interval.low > 0;
    t.rows.push_back(std::move(row));
  }
  auto tier = [](const NextBestActionRow& r) { return r.positive ? 0 : r.tested ? 1 : 2; };
  std::sort(t.rows.begin(), t.rows.end(),
            [&](const NextBestActionRow& x, const NextBestActionRow& y) {
              return std::make_tuple(tier(x), -x.lift.absolute, x.action) <
                     std::make_tuple(tier(y), -y.lift.absolute, y.action);
            });
  if (!t.rows.empty() && t.rows.front().positive) {
    t.recommended = t.rows.front().action;
    t.evidence = "lift";
  } else {
    t.evidence = "none";
  }
  return t;
}

}  // namespace signpost::experiments
