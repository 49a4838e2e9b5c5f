// A seeded simulation of the channel bandit, shared by bandit_test and bench/experiments_sim:
// profiles arrive in batches; each gets a choice, converts at its channel's true rate, and the
// batch's outcomes are observed together (goals arrive late in real journeys). Not used by the
// runtime. Thread-safety: touches only the generator it is given.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "experiments/bandit.h"

namespace signpost::experiments {

struct BanditScenario {
  std::vector<std::string> channels;  // all available to every profile
  std::vector<double> true_rates;     // goal rate per channel
  size_t default_channel = 0;
  uint64_t profiles = 20000;
  uint64_t batch = 200;  // choices made before their outcomes are observed
  BanditOptions options;
};

struct BanditOutcome {
  std::vector<uint64_t> chosen;       // optimized (non-control) choices per channel
  uint64_t control = 0;               // control choices
  double late_best_share = 0;         // share of the best channel among the non-control
                                      // choices of the last fifth of profiles
  double expected_conversions = 0;    // Σ true rate of each choice
  double regret = 0;                  // profiles × best rate - expected_conversions
  double regret_without_control = 0;  // the same over the non-control choices only
  BanditReport report;                // the bandit's own report at the end
};

BanditOutcome SimulateBandit(const BanditScenario& scenario, std::mt19937_64& rng);

}  // namespace signpost::experiments
