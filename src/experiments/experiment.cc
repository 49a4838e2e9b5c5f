#include "experiments/experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "base/report_names.h"
#include "experiments/experiment_sampling.h"

namespace signpost::experiments {
namespace {

constexpr uint64_t kWarnBelow = 1000;

double Rate(uint64_t k, uint64_t n) {
  return n == 0 ? 0.0 : static_cast<double>(k) / static_cast<double>(n);
}

Status Validate(const std::vector<VariantCounts>& variants, const ExperimentPolicy& policy) {
  if (variants.size() < 2 || variants.size() > 4) {
    return Status::InvalidArgument(
        fmt::format("variants: an experiment compares 2 to 4 variants, got {}", variants.size()));
  }
  for (size_t i = 0; i < variants.size(); ++i) {
    if (variants[i].converted > variants[i].entered) {
      return Status::InvalidArgument(fmt::format(
          "variants[{}].converted: {} is more than the {} who entered; count each profile once", i,
          variants[i].converted, variants[i].entered));
    }
  }
  if (!(policy.alpha > 0 && policy.alpha < 1)) {
    return Status::InvalidArgument(
        fmt::format("policy.alpha: must be in (0, 1), got {}; 0.05 is usual", policy.alpha));
  }
  if (policy.default_variant >= variants.size()) {
    return Status::InvalidArgument(
        fmt::format("policy.default_variant: {} is not a variant index (0..{})",
                    policy.default_variant, variants.size() - 1));
  }
  if (!(policy.mixture_sd > 0) || !std::isfinite(policy.mixture_sd)) {
    return Status::InvalidArgument(fmt::format(
        "policy.mixture_sd: must be above 0, got {}; 0.02 suits rate differences of a few points",
        policy.mixture_sd));
  }
  if (policy.probability_draws == 0) {
    return Status::InvalidArgument("policy.probability_draws: must be at least 1");
  }
  return Status::Ok();
}

// P(variant i has the highest true rate) under independent Beta(1 + k, 1 + n - k) posteriors, by
// Monte Carlo with a generator seeded from the policy.
std::vector<double> ProbabilityBest(const std::vector<VariantCounts>& variants, uint32_t draws,
                                    uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> wins(variants.size(), 0);
  for (uint32_t d = 0; d < draws; ++d) {
    size_t best = 0;
    double best_value = -1;
    for (size_t i = 0; i < variants.size(); ++i) {
      const auto& v = variants[i];
      const double value = BetaDraw(1.0 + static_cast<double>(v.converted),
                                    1.0 + static_cast<double>(v.entered - v.converted), rng);
      if (value > best_value) best = i, best_value = value;
    }
    ++wins[best];
  }
  std::vector<double> probability(variants.size());
  for (size_t i = 0; i < variants.size(); ++i) {
    probability[i] = static_cast<double>(wins[i]) / draws;
  }
  return probability;
}

}  // namespace

std::string_view DecisionName(ExperimentDecision decision) {
  return NameIn(kExperimentDecisionNames, decision);
}

double AlwaysValidPValue(uint64_t control_converted, uint64_t control_entered,
                         uint64_t variant_converted, uint64_t variant_entered, double mixture_sd) {
  if (control_entered == 0 || variant_entered == 0) return 1;
  const double nc = static_cast<double>(control_entered);
  const double nv = static_cast<double>(variant_entered);
  const double difference =
      Rate(variant_converted, variant_entered) - Rate(control_converted, control_entered);
  const double pc = (static_cast<double>(control_converted) + 0.5) / (nc + 1);
  const double pv = (static_cast<double>(variant_converted) + 0.5) / (nv + 1);
  const double v = pc * (1 - pc) / nc + pv * (1 - pv) / nv;  // variance of the difference
  const double tau2 = mixture_sd * mixture_sd;
  // log Λ = ½·log(V / (V + τ²)) + θ̂²τ² / (2V(V + τ²)), the N(0, τ²) mixture of N(θ, V) ratios.
  const double log_ratio =
      0.5 * std::log(v / (v + tau2)) + difference * difference * tau2 / (2 * v * (v + tau2));
  return std::exp(-std::max(0.0, log_ratio));
}

Result<ExperimentReport> Evaluate(const std::vector<VariantCounts>& variants,
                                  const ExperimentPolicy& policy, TimeMs started, TimeMs now) {
  SP_RETURN_IF_ERROR(Validate(variants, policy));
  const double level = 1 - policy.alpha;
  const size_t control = policy.default_variant;
  const VariantCounts& c = variants[control];

  ExperimentReport report;
  report.alpha_per_comparison = policy.alpha / static_cast<double>(variants.size() - 1);
  report.minimum_sample_met = std::all_of(variants.begin(), variants.end(), [&](const auto& v) {
    return v.entered >= policy.min_sample_per_variant;
  });
  const std::vector<double> best = ProbabilityBest(variants, policy.probability_draws, policy.seed);

  for (size_t i = 0; i < variants.size(); ++i) {
    const VariantCounts& v = variants[i];
    VariantReport r;
    r.id = v.id;
    r.entered = v.entered;
    r.converted = v.converted;
    r.rate = Rate(v.converted, v.entered);
    r.interval = stats::Wilson(v.converted, v.entered, level);
    r.probability_best = best[i];
    if (i != control) {
      r.difference =
          stats::NewcombeDifference(v.converted, v.entered, c.converted, c.entered, level);
      r.relative_lift = stats::RelativeLift(v.converted, v.entered, c.converted, c.entered, level);
      r.p_value =
          AlwaysValidPValue(c.converted, c.entered, v.converted, v.entered, policy.mixture_sd);
      r.significant = report.minimum_sample_met && r.p_value <= report.alpha_per_comparison;
    }
    if (v.entered < kWarnBelow) {
      report.warnings.push_back(fmt::format(
          "variant '{}' has {} people; below 1,000 per variant rates and intervals are rough", v.id,
          v.entered));
    }
    report.variants.push_back(std::move(r));
  }

  // A winner: the best of the significantly better variants, else the default when every other
  // variant is significantly worse.
  std::optional<size_t> winner;
  bool all_worse = true;
  const double control_rate = report.variants[control].rate;
  for (size_t i = 0; i < variants.size(); ++i) {
    if (i == control) continue;
    const VariantReport& r = report.variants[i];
    if (r.significant && r.rate > control_rate &&
        (!winner || r.rate > report.variants[*winner].rate)) {
      winner = i;
    }
    all_worse = all_worse && r.significant && r.rate < control_rate;
  }
  if (!winner && all_worse) winner = control;

  if (winner) {
    report.decision = ExperimentDecision::kWinner;
    report.winner = winner;
    report.assign_to = winner;
  } else if (policy.ends_at && now >= *policy.ends_at) {
    report.decision = ExperimentDecision::kEnded;
    report.assign_to = control;
  } else if (!policy.ends_at && now - started >= policy.no_winner_after) {
    report.decision = ExperimentDecision::kNoWinner;
    report.assign_to = control;
  }
  return report;
}

}  // namespace signpost::experiments
