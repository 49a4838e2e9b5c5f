// The logistic fit against closed forms: with one binary feature and no penalty the maximum
// likelihood is intercept = logit(rate without), coefficient = ln(odds ratio); with more features
// the fit is checked by its optimality condition (the penalised score is zero), computed here
// independently of the solver.
#include "experiments/logistic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace signpost::experiments {
namespace {

TEST(Logistic, OneFeatureIsTheLogOddsRatio) {
  // Without: 20 of 100 convert; with: 60 of 100.
  const std::vector<BinaryPattern> p = {{0, 20, 80}, {1, 60, 40}};
  const LogisticModel m = FitLogistic(p, 1, 0.0);
  ASSERT_TRUE(m.converged);
  EXPECT_NEAR(m.intercept, std::log(20.0 / 80.0), 1e-9);
  EXPECT_NEAR(m.coefficients[0], std::log((60.0 * 80.0) / (40.0 * 20.0)), 1e-9);
  EXPECT_NEAR(PredictLogistic(m, 1), 0.6, 1e-9);
}

TEST(Logistic, PenalisedScoreIsZeroAtTheFit) {
  const std::vector<BinaryPattern> p = {
      {0b000, 30, 270}, {0b001, 50, 150}, {0b010, 40, 160}, {0b011, 80, 40},
      {0b100, 10, 90},  {0b101, 25, 25},  {0b111, 60, 20},
  };
  const double l2 = 2.0;
  const LogisticModel m = FitLogistic(p, 3, l2);
  ASSERT_TRUE(m.converged);
  std::vector<double> score(4, 0.0);
  for (const BinaryPattern& q : p) {
    double z = m.intercept;
    for (int j = 0; j < 3; ++j) z += ((q.features >> j) & 1) * m.coefficients[j];
    const double prob = 1 / (1 + std::exp(-z));
    const double r =
        static_cast<double>(q.positives) - static_cast<double>(q.positives + q.negatives) * prob;
    score[0] += r;
    for (int j = 0; j < 3; ++j) score[j + 1] += ((q.features >> j) & 1) * r;
  }
  EXPECT_NEAR(score[0], 0.0, 1e-7);
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(score[j + 1] - l2 * m.coefficients[j], 0.0, 1e-7);
  // The penalty shrinks: the unpenalised coefficients are larger in size.
  const LogisticModel free = FitLogistic(p, 3, 0.0);
  for (int j = 0; j < 3; ++j)
    EXPECT_LT(std::abs(m.coefficients[j]), std::abs(free.coefficients[j]));
}

TEST(Logistic, ScoreByHand) {
  const std::vector<BinaryPattern> train = {{0, 20, 80}, {1, 60, 40}};
  const LogisticModel m = FitLogistic(train, 1, 0.0);
  // Held out: feature 1 -> predicted positive (0.6), feature 0 -> negative (0.2).
  const std::vector<BinaryPattern> test = {{0, 5, 15}, {1, 12, 8}};
  const LogisticScore s = ScoreLogistic(m, test);
  EXPECT_EQ(s.people, 40u);
  EXPECT_NEAR(s.accuracy, (15.0 + 12.0) / 40.0, 1e-12);
  EXPECT_NEAR(s.baseline, 23.0 / 40.0, 1e-12);  // 23 negatives
  const double loss =
      -(5 * std::log(0.2) + 15 * std::log(0.8) + 12 * std::log(0.6) + 8 * std::log(0.4)) / 40.0;
  EXPECT_NEAR(s.log_loss, loss, 1e-9);
}

}  // namespace
}  // namespace signpost::experiments
