// Seeded simulations of split tests on counts, shared by the simulation tests and
// bench/experiments_sim: each day every variant gets a fixed number of new profiles, conversions
// are Binomial draws at the variant's true rate, and the test is evaluated once a day. Not used
// by the runtime. Thread-safety: touches only the generator it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "experiments/experiment.h"

namespace signpost::experiments {

struct SplitScenario {
  std::vector<double> true_rates;  // one per variant, the first is the default
  uint64_t per_day = 100;          // new profiles per variant per day
  int days = 30;                   // daily looks
};

struct SplitOutcome {
  ExperimentDecision decision = ExperimentDecision::kRunning;  // the first non-running decision
  std::optional<size_t> winner;
  int decided_on_day = 0;            // the look that decided (0: still running after the last look)
  uint64_t entered_per_variant = 0;  // at that look
};

// Runs one test until Evaluate's first non-running decision or the last day.
SplitOutcome SimulateSplit(const SplitScenario& scenario, const ExperimentPolicy& policy,
                           std::mt19937_64& rng);

}  // namespace signpost::experiments
