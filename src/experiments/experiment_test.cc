#include "experiments/experiment.h"

#include <gtest/gtest.h>

#include <string>

// Expected values marked [MP] were computed independently with mpmath 1.3.0 (mp.dps = 30): the
// mSPRT ratio Λ by numerically integrating N(d; θ, V)·N(θ; 0, τ²) over θ and dividing by
// N(d; 0, V) (not the closed form the code uses); P(B best) for two variants as
// ∫ f_B(x)·I_x(a_A, b_A) dx with the regularized incomplete beta function.

namespace signpost::experiments {
namespace {

TEST(AlwaysValidPValue, MatchesNumericalMixtureIntegral) {  // [MP]
  EXPECT_NEAR(AlwaysValidPValue(1000, 10000, 1300, 10000, 0.02), 3.18544326412e-09, 1e-17);
  EXPECT_NEAR(AlwaysValidPValue(100, 1000, 120, 1000, 0.02), 0.879707143509, 1e-9);
  EXPECT_NEAR(AlwaysValidPValue(50, 1000, 90, 1000, 0.02), 0.0195276898184, 1e-11);
  EXPECT_NEAR(AlwaysValidPValue(100, 2000, 150, 1500, 0.05), 3.09654761039e-06, 1e-14);
  EXPECT_EQ(AlwaysValidPValue(50, 1000, 80, 1200, 0.05), 1.0);  // Λ < 1: no evidence
  EXPECT_EQ(AlwaysValidPValue(0, 0, 10, 100, 0.02), 1.0);
}

std::vector<VariantCounts> Counts(uint64_t n1, uint64_t k1, uint64_t n2, uint64_t k2) {
  return {{"a", n1, k1}, {"b", n2, k2}};
}

TEST(Evaluate, ProbabilityBestMatchesTheExactIntegral) {  // [MP]
  ExperimentPolicy policy;
  auto report = Evaluate(Counts(100, 10, 100, 20), policy, 0, 0);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // 20,000 draws: Monte Carlo sd ≈ 0.0011; allow 4 sd.
  EXPECT_NEAR(report->variants[1].probability_best, 0.9751730332, 0.0045);
  EXPECT_NEAR(report->variants[0].probability_best + report->variants[1].probability_best, 1.0,
              1e-12);
  report = Evaluate(Counts(20, 3, 20, 5), policy, 0, 0);
  EXPECT_NEAR(report->variants[1].probability_best, 0.7731352365, 0.012);
}

TEST(Evaluate, SameInputsSameReport) {
  ExperimentPolicy policy;
  const auto counts = std::vector<VariantCounts>{{"a", 500, 50}, {"b", 500, 55}, {"c", 480, 60}};
  auto first = Evaluate(counts, policy, 0, 0);
  auto second = Evaluate(counts, policy, 0, 0);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first->variants[i].probability_best, second->variants[i].probability_best);
  }
  policy.seed = 2;
  auto reseeded = Evaluate(counts, policy, 0, 0);
  EXPECT_NE(first->variants[2].probability_best, reseeded->variants[2].probability_best);
}

TEST(Evaluate, ClearDifferenceDeclaresTheBetterVariant) {
  auto report = Evaluate(Counts(10000, 1000, 10000, 1300), {}, 0, 10 * kDayMs);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->decision, ExperimentDecision::kWinner);
  EXPECT_EQ(report->winner, 1u);
  EXPECT_EQ(report->assign_to, 1u);
  const VariantReport& b = report->variants[1];
  EXPECT_TRUE(b.significant);
  EXPECT_DOUBLE_EQ(b.rate, 0.13);
  EXPECT_GT(b.probability_best, 0.999);
  // The report's intervals are the stats functions at 1 - alpha.
  EXPECT_DOUBLE_EQ(b.difference.low, stats::NewcombeDifference(1300, 10000, 1000, 10000).low);
  EXPECT_DOUBLE_EQ(b.relative_lift.high, stats::RelativeLift(1300, 10000, 1000, 10000).high);
  EXPECT_DOUBLE_EQ(b.interval.low, stats::Wilson(1300, 10000).low);
  EXPECT_TRUE(report->warnings.empty());
}

TEST(Evaluate, DefaultWinsWhenEveryOtherVariantIsWorse) {
  auto report = Evaluate({{"a", 10000, 1300}, {"b", 10000, 1000}, {"c", 10000, 1010}}, {}, 0, 0);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->decision, ExperimentDecision::kWinner);
  EXPECT_EQ(report->winner, 0u);
  EXPECT_DOUBLE_EQ(report->alpha_per_comparison, 0.025);
}

TEST(Evaluate, OneWorseOneEqualKeepsRunning) {
  auto report = Evaluate({{"a", 10000, 1300}, {"b", 10000, 1000}, {"c", 10000, 1300}}, {}, 0, 0);
  EXPECT_EQ(report->decision, ExperimentDecision::kRunning);
  EXPECT_FALSE(report->assign_to.has_value());
}

TEST(Evaluate, NoStopBeforeTheMinimumSample) {
  // 30% vs 60% is overwhelming, but 900 people per variant is under the minimum of 1,000.
  auto report = Evaluate(Counts(900, 270, 900, 540), {}, 0, 0);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->decision, ExperimentDecision::kRunning);
  EXPECT_FALSE(report->minimum_sample_met);
  EXPECT_FALSE(report->variants[1].significant);
  EXPECT_LT(report->variants[1].p_value, 1e-9);
  ASSERT_EQ(report->warnings.size(), 2u);
  EXPECT_NE(report->warnings[0].find("variant 'a' has 900 people"), std::string::npos);
}

TEST(Evaluate, NoWinnerAfterThirtyDaysFallsBackToTheDefault) {
  ExperimentPolicy policy;
  policy.default_variant = 1;
  const auto counts = Counts(5000, 500, 5000, 505);
  EXPECT_EQ(Evaluate(counts, policy, kDayMs, 30 * kDayMs)->decision, ExperimentDecision::kRunning);
  auto report = Evaluate(counts, policy, kDayMs, 31 * kDayMs);
  EXPECT_EQ(report->decision, ExperimentDecision::kNoWinner);
  EXPECT_EQ(report->assign_to, 1u);
  EXPECT_FALSE(report->winner.has_value());
  EXPECT_EQ(DecisionName(report->decision), "no_winner");
}

TEST(Evaluate, EndDateReplacesTheFallback) {
  ExperimentPolicy policy;
  policy.ends_at = 45 * kDayMs;
  const auto counts = Counts(5000, 500, 5000, 505);
  EXPECT_EQ(Evaluate(counts, policy, 0, 40 * kDayMs)->decision, ExperimentDecision::kRunning);
  auto report = Evaluate(counts, policy, 0, 45 * kDayMs);
  EXPECT_EQ(report->decision, ExperimentDecision::kEnded);
  EXPECT_EQ(report->assign_to, 0u);
}

TEST(Evaluate, RejectsBadInputNamingTheField) {
  auto r = Evaluate(Counts(10, 11, 10, 1), {}, 0, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("variants[0].converted"), std::string::npos);
  r = Evaluate({{"a", 1, 0}}, {}, 0, 0);
  EXPECT_NE(r.status().message().find("2 to 4"), std::string::npos);
  ExperimentPolicy policy;
  policy.alpha = 0;
  EXPECT_NE(Evaluate(Counts(1, 0, 1, 0), policy, 0, 0).status().message().find("policy.alpha"),
            std::string::npos);
  policy = {};
  policy.default_variant = 2;
  EXPECT_NE(Evaluate(Counts(1, 0, 1, 0), policy, 0, 0).status().message().find("default_variant"),
            std::string::npos);
  policy = {};
  policy.probability_draws = 0;
  EXPECT_FALSE(Evaluate(Counts(1, 0, 1, 0), policy, 0, 0).ok());
}

}  // namespace
}  // namespace signpost::experiments
