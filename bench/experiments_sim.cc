// experiments_sim: the error rates and speed of the split-test stop rule and the channel bandit,
// from seeded simulations on counts (src/experiments/experiment_simulation.h, bandit_simulation.h).
//
//   experiments_sim                       # the defaults below; same flags = same figures
//   experiments_sim --runs 2000 --per-day 150 --days 30 --base 0.10 --better 0.13 --seed 42
//
// Prints: the A/A false-winner rate (both variants at --base) with daily looks and with a look
// every 10 profiles per variant (near-continuous monitoring, on a quarter of the runs), the power
// at the stated effect
// (--base against --better) with the wrong-winner rate, the mean and median day of decision, and
// the channel bandit's regret against always using the best channel (and against always using the
// default), averaged over --bandit-runs simulations. Each rate comes with its 95% Wilson interval.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "experiments/bandit_simulation.h"
#include "experiments/experiment_simulation.h"
#include "experiments/stats.h"

namespace ex = signpost::experiments;

namespace {

struct SplitSummary {
  int runs = 0, right = 0, wrong = 0;
  std::vector<int> decision_days;  // of the runs that found a winner
};

SplitSummary RunSplits(const ex::SplitScenario& scenario, const ex::ExperimentPolicy& policy,
                       int runs, std::mt19937_64& rng) {
  SplitSummary summary;
  summary.runs = runs;
  for (int r = 0; r < runs; ++r) {
    const ex::SplitOutcome outcome = ex::SimulateSplit(scenario, policy, rng);
    if (outcome.decision != ex::ExperimentDecision::kWinner) continue;
    const bool better_won =
        scenario.true_rates[*outcome.winner] ==
        *std::max_element(scenario.true_rates.begin(), scenario.true_rates.end());
    (better_won ? summary.right : summary.wrong) += 1;
    summary.decision_days.push_back(outcome.decided_on_day);
  }
  return summary;
}

void PrintRate(const char* label, int k, int n) {
  const ex::stats::Interval ci =
      ex::stats::Wilson(static_cast<uint64_t>(k), static_cast<uint64_t>(n));
  std::printf("  %-34s %6.2f%%  (%d of %d; 95%% CI %.2f%%–%.2f%%)\n", label, 100.0 * k / n, k, n,
              100 * ci.low, 100 * ci.high);
}

void PrintDays(std::vector<int> days) {
  if (days.empty()) {
    std::printf("  %-34s none decided\n", "time to decision");
    return;
  }
  std::sort(days.begin(), days.end());
  double sum = 0;
  for (int d : days) sum += d;
  std::printf("  %-34s mean %.1f days, median %d, p90 %d\n", "time to decision (winners)",
              sum / days.size(), days[days.size() / 2], days[days.size() * 9 / 10]);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Seeded simulations of the experiment stop rule and the channel bandit"};
  int runs = 2000, per_day = 150, days = 30, bandit_runs = 50;
  double base = 0.10, better = 0.13, alpha = 0.05, mixture_sd = 0.02;
  uint64_t seed = 42, min_sample = 1000, bandit_profiles = 20000, batch = 200;
  app.add_option("--runs", runs, "simulated split tests per scenario");
  app.add_option("--per-day", per_day, "new profiles per variant per day");
  app.add_option("--days", days, "daily looks (the no-winner fallback is 30 days)");
  app.add_option("--base", base, "the default variant's true rate");
  app.add_option("--better", better, "the other variant's true rate in the power scenario");
  app.add_option("--alpha", alpha, "family-wise false-winner rate");
  app.add_option("--mixture-sd", mixture_sd, "mSPRT prior sd of the difference");
  app.add_option("--min-sample", min_sample, "minimum profiles per variant before a stop");
  app.add_option("--bandit-runs", bandit_runs, "simulated bandits");
  app.add_option("--bandit-profiles", bandit_profiles, "profiles per simulated bandit");
  app.add_option("--batch", batch, "bandit choices made before their outcomes are observed");
  app.add_option("--seed", seed, "seed of everything");
  CLI11_PARSE(app, argc, argv);

  ex::ExperimentPolicy policy;
  policy.alpha = alpha;
  policy.mixture_sd = mixture_sd;
  policy.min_sample_per_variant = min_sample;
  policy.probability_draws = 50;  // the stop rule does not use them
  std::mt19937_64 rng(seed);
  const uint64_t daily = static_cast<uint64_t>(per_day);

  std::printf(
      "Split tests: %d runs each, %d per variant per day, a look every day for %d days,\n"
      "alpha %.3g, minimum %llu per variant, mixture sd %.3g, seed %llu\n",
      runs, per_day, days, alpha, static_cast<unsigned long long>(min_sample), mixture_sd,
      static_cast<unsigned long long>(seed));
  std::printf("A/A (both %.1f%%):\n", 100 * base);
  const SplitSummary aa = RunSplits({{base, base}, daily, days}, policy, runs, rng);
  PrintRate("false-winner rate", aa.right + aa.wrong, aa.runs);
  // Near-continuous monitoring: a look after every 10 profiles per variant over the same 30 days'
  // traffic (the rule's guarantee is for any number of looks), on a quarter of the runs.
  ex::ExperimentPolicy continuous = policy;
  const int fine_days = days * per_day / 10;
  continuous.no_winner_after = fine_days * signpost::kDayMs;
  const int fine_runs = std::max(1, runs / 4);
  std::printf("A/A, a look every 10 profiles per variant (%d looks):\n", fine_days);
  const SplitSummary fine = RunSplits({{base, base}, 10, fine_days}, continuous, fine_runs, rng);
  PrintRate("false-winner rate", fine.right + fine.wrong, fine.runs);
  std::printf("A/B (%.1f%% vs %.1f%%, %+.0f%% relative):\n", 100 * base, 100 * better,
              100 * (better / base - 1));
  const SplitSummary ab = RunSplits({{base, better}, daily, days}, policy, runs, rng);
  PrintRate("power (better variant wins)", ab.right, ab.runs);
  PrintRate("wrong winner", ab.wrong, ab.runs);
  PrintDays(ab.decision_days);

  ex::BanditScenario scenario;
  scenario.channels = {"email", "sms", "push"};
  scenario.true_rates = {0.05, 0.08, 0.03};
  scenario.default_channel = 0;
  scenario.profiles = bandit_profiles;
  scenario.batch = batch;
  double regret = 0, regret_optimized = 0, late_share = 0, control = 0;
  for (int r = 0; r < bandit_runs; ++r) {
    const ex::BanditOutcome outcome = ex::SimulateBandit(scenario, rng);
    regret += outcome.regret;
    regret_optimized += outcome.regret_without_control;
    late_share += outcome.late_best_share;
    control += static_cast<double>(outcome.control);
  }
  const double n = static_cast<double>(bandit_runs);
  const double profiles = static_cast<double>(bandit_profiles);
  const double best_total = profiles * 0.08;
  const double default_regret = profiles * (0.08 - 0.05);
  std::printf(
      "Channel bandit: email (default) 5%%, sms 8%%, push 3%%; %llu profiles, outcomes "
      "observed every %llu; mean of %d runs\n",
      static_cast<unsigned long long>(bandit_profiles), static_cast<unsigned long long>(batch),
      bandit_runs);
  std::printf("  %-34s %.1f conversions (%.2f%% of the best channel's %.0f)\n",
              "regret vs always sms", regret / n, 100 * regret / n / best_total, best_total);
  std::printf("  %-34s %.1f of it from non-control choices (learning)\n", "", regret_optimized / n);
  std::printf("  %-34s %.0f conversions\n", "regret of always the default", default_regret);
  std::printf("  %-34s %.1f%%\n", "control share", 100 * control / n / profiles);
  std::printf("  %-34s %.1f%%\n", "sms share, non-control, last fifth", 100 * late_share / n);
  return 0;
}
