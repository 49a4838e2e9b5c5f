#include "experiments/experiment_simulation.h"

#include <string>

#include "experiments/experiment_sampling.h"

namespace signpost::experiments {

SplitOutcome SimulateSplit(const SplitScenario& scenario, const ExperimentPolicy& policy,
                           std::mt19937_64& rng) {
  std::vector<VariantCounts> counts;
  for (size_t i = 0; i < scenario.true_rates.size(); ++i) {
    counts.push_back({"v" + std::to_string(i), 0, 0});
  }
  SplitOutcome outcome;
  for (int day = 1; day <= scenario.days; ++day) {
    for (size_t i = 0; i < counts.size(); ++i) {
      counts[i].entered += scenario.per_day;
      counts[i].converted += BinomialDraw(scenario.per_day, scenario.true_rates[i], rng);
    }
    auto report = Evaluate(counts, policy, 0, day * kDayMs);
    if (!report.ok()) return outcome;  // a bad scenario: reported as never decided
    outcome.entered_per_variant = counts[0].entered;
    if (report->decision != ExperimentDecision::kRunning) {
      outcome.decision = report->decision;
      outcome.winner = report->winner;
      outcome.decided_on_day = day;
      return outcome;
    }
  }
  return outcome;
}

}  // namespace signpost::experiments
