#include "experiments/bandit_simulation.h"

#include <algorithm>

#include "experiments/experiment_sampling.h"

namespace signpost::experiments {

BanditOutcome SimulateBandit(const BanditScenario& scenario, std::mt19937_64& rng) {
  ChannelBandit bandit(scenario.options);
  BanditOutcome outcome;
  outcome.chosen.assign(scenario.channels.size(), 0);
  const size_t best =
      static_cast<size_t>(std::max_element(scenario.true_rates.begin(), scenario.true_rates.end()) -
                          scenario.true_rates.begin());
  const double best_rate = scenario.true_rates[best];
  const uint64_t late_from = scenario.profiles - scenario.profiles / 5;
  uint64_t late_total = 0, late_best = 0, optimized = 0;
  double optimized_expected = 0;
  std::vector<std::pair<BanditChoice, bool>> pending;
  for (uint64_t p = 0; p < scenario.profiles; ++p) {
    auto choice =
        bandit.Choose(scenario.channels, scenario.channels[scenario.default_channel], rng);
    if (!choice.ok()) return outcome;  // no channels: nothing to simulate
    const size_t index = static_cast<size_t>(
        std::find(scenario.channels.begin(), scenario.channels.end(), choice->channel) -
        scenario.channels.begin());
    const double rate = scenario.true_rates[index];
    outcome.expected_conversions += rate;
    if (choice->is_control) {
      ++outcome.control;
    } else {
      ++outcome.chosen[index];
      ++optimized;
      optimized_expected += rate;
      if (p >= late_from) {
        ++late_total;
        late_best += index == best ? 1 : 0;
      }
    }
    pending.emplace_back(*choice, UniformUnit(rng) < rate);
    if (pending.size() == scenario.batch || p + 1 == scenario.profiles) {
      for (const auto& [c, converted] : pending) bandit.Observe(c, converted);
      pending.clear();
    }
  }
  outcome.late_best_share =
      late_total == 0 ? 0.0 : static_cast<double>(late_best) / static_cast<double>(late_total);
  outcome.regret =
      static_cast<double>(scenario.profiles) * best_rate - outcome.expected_conversions;
  outcome.regret_without_control = static_cast<double>(optimized) * best_rate - optimized_expected;
  outcome.report = bandit.Report();
  return outcome;
}

}  // namespace signpost::experiments
