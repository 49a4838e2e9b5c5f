// Split (A/B/n) experiments: the statistics that decide when a test is over — per-variant rates
// with Wilson intervals, the probability that each variant is best, and an always-valid sequential
// test (mixture SPRT) that may be looked at after every event without inflating the false-winner
// rate. Pure functions of counts: no engine, no store, no clock (times are passed in). Assignment
// to variants is in assignment.h, the daily looks in split_tally.h. See README.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/stats.h"
#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::experiments {

// ---- Evaluation ------------------------------------------------------------------------------

// The caller's counts for one variant on the winner metric (goal reached, opened or clicked).
struct VariantCounts {
  std::string id;          // the variant's name in the definition
  uint64_t entered = 0;    // profiles assigned to it
  uint64_t converted = 0;  // of those, profiles that met the metric (<= entered)
};

// How a test is decided. Plain struct; defaults in the comments.
struct ExperimentPolicy {
  double alpha = 0.05;                     // family-wise false-winner rate of the whole test
  uint64_t min_sample_per_variant = 1000;  // no stop before every variant has this many entered
  double mixture_sd = 0.02;                // mSPRT prior sd of the true difference (absolute rate)
  size_t default_variant = 0;              // the control, and the fallback when nothing wins
  DurationMs no_winner_after = 30 * kDayMs;  // fallback to the default after this, when no end
  std::optional<TimeMs> ends_at;             // a set end date; replaces the no-winner fallback
  uint32_t probability_draws = 20000;        // Monte Carlo draws for the probability to be best
  uint64_t seed = 1;                         // seeds those draws: same counts → same report
};

using ExperimentDecision = ::signpost::ExperimentDecision;  // signpost/reports.h
// "running", "winner", "no_winner", "ended".
std::string_view DecisionName(ExperimentDecision decision);

// One variant's statistics (signpost/reports.h).
using VariantReport = ::signpost::SplitVariantReport;

struct ExperimentReport {
  ExperimentDecision decision = ExperimentDecision::kRunning;
  std::optional<size_t> winner;         // set with kWinner
  std::optional<size_t> assign_to;      // the variant every new profile gets; unset while running
  bool minimum_sample_met = false;      // every variant has min_sample_per_variant entered
  double alpha_per_comparison = 0;      // policy.alpha / (variants - 1) (Bonferroni)
  std::vector<VariantReport> variants;  // in the order given
  std::vector<std::string> warnings;    // e.g. fewer than 1,000 people in a variant
};

// The always-valid p-value (Johari, Pekelis, Walsh 2017) of "variant rate == control rate" from
// the current counts: 1 / Λ capped at 1, where Λ is the normal-mixture likelihood ratio of the
// difference of rates with prior sd `mixture_sd`; variances use (k + 0.5) / (n + 1) so they are
// never 0. Returns 1 when either side has no one. Valid under continuous monitoring in the sense
// that P(ever <= a | no difference) <= a (approximately: normal approximation of the rates).
double AlwaysValidPValue(uint64_t control_converted, uint64_t control_entered,
                         uint64_t variant_converted, uint64_t variant_entered, double mixture_sd);

// The state of a test for these counts at `now`, begun at `started`. A variant wins when its
// comparison with the default variant is significant and it is better; the default wins when every
// other variant is significantly worse; when several are significantly better, the one with the
// highest rate wins. kInvalidArgument, naming the field, when there are not 2–4 variants, a
// variant converts more than entered, or the policy is out of range (alpha not in (0, 1),
// default_variant out of range, mixture_sd <= 0, probability_draws == 0). Stateless: the caller
// keeps the first decision that is not kRunning (later looks may differ, the test is over).
// Deterministic for equal inputs. Thread-safe.
Result<ExperimentReport> Evaluate(const std::vector<VariantCounts>& variants,
                                  const ExperimentPolicy& policy, TimeMs started, TimeMs now);

}  // namespace signpost::experiments
