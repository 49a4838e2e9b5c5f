#include "experiments/stats.h"

#include <gtest/gtest.h>

#include <cmath>

// Where the expected values come from:
//  [N98a] Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison
//         of seven methods. Stat Med 17:857-872, Table I, method 3 (Wilson score, no correction);
//         published to 4 decimals.
//  [N98b] Newcombe RG (1998). Interval estimation for the difference between independent
//         proportions: comparison of eleven methods. Stat Med 17:873-890, Table II, method 10;
//         published to 4 decimals.
//  [MP]   An independent high-precision computation with mpmath 1.3.0 (mp.dps = 50): the normal
//         quantile as sqrt(2)·erfinv(2p-1); Wilson bounds as the two roots of the score equation
//         (1 + z²/n)π² - (2p + z²/n)π + p² = 0; Newcombe and Katz from those, as the paper and
//         Katz et al. (1978, Biometrics 34:469) define them. Kept to 12 significant digits.

namespace signpost::experiments::stats {
namespace {

TEST(NormalQuantile, MatchesHighPrecisionValues) {  // [MP]
  EXPECT_NEAR(NormalQuantile(0.975), 1.9599639845400538, 1e-14);
  EXPECT_NEAR(NormalQuantile(0.995), 2.5758293035489004, 1e-14);
  EXPECT_NEAR(NormalQuantile(0.9), 1.2815515655446006, 1e-14);
  EXPECT_NEAR(NormalQuantile(0.3), -0.52440051270804078, 1e-14);
  EXPECT_NEAR(NormalQuantile(1e-10), -6.3613409024040566, 1e-12);
  EXPECT_EQ(NormalQuantile(0.5), 0.0);
}

TEST(NormalQuantile, EdgesAndOutOfRange) {
  EXPECT_EQ(NormalQuantile(0), -INFINITY);
  EXPECT_EQ(NormalQuantile(1), INFINITY);
  EXPECT_TRUE(std::isnan(NormalQuantile(-0.1)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1.5)));
  EXPECT_TRUE(std::isnan(NormalQuantile(NAN)));
}

void ExpectInterval(Interval got, double low, double high, double tolerance) {
  EXPECT_NEAR(got.low, low, tolerance);
  EXPECT_NEAR(got.high, high, tolerance);
}

TEST(Wilson, NewcombeTableOneExamples) {  // [N98a], to 4 decimals
  ExpectInterval(Wilson(81, 263), 0.2553, 0.3662, 5e-5);
  ExpectInterval(Wilson(15, 148), 0.0624, 0.1605, 5e-5);
  ExpectInterval(Wilson(0, 20), 0.0, 0.1611, 5e-5);
  ExpectInterval(Wilson(1, 29), 0.0061, 0.1718, 5e-5);
}

TEST(Wilson, HighPrecisionValues) {  // [MP]
  ExpectInterval(Wilson(81, 263), 0.255288519878, 0.366209576983, 1e-11);
  ExpectInterval(Wilson(500, 10000), 0.0458984826906, 0.054447115843, 1e-11);
  ExpectInterval(Wilson(10, 10), 0.722467200137, 1.0, 1e-11);
  ExpectInterval(Wilson(81, 263, 0.99), 0.240136902688, 0.385282502318, 1e-11);
}

TEST(Wilson, EmptySampleIsTheWholeRange) {
  ExpectInterval(Wilson(0, 0), 0.0, 1.0, 0.0);
  EXPECT_EQ(Wilson(0, 5).low, 0.0);
  EXPECT_EQ(Wilson(5, 5).high, 1.0);
}

TEST(NewcombeDifference, NewcombeTableTwoExamples) {  // [N98b] method 10, to 4 decimals
  ExpectInterval(NewcombeDifference(56, 70, 48, 80), 0.0524, 0.3339, 5e-5);
  ExpectInterval(NewcombeDifference(9, 10, 3, 10), 0.1705, 0.8090, 5e-5);
  ExpectInterval(NewcombeDifference(6, 7, 2, 7), 0.0582, 0.8062, 5e-5);
  ExpectInterval(NewcombeDifference(5, 56, 0, 29), -0.0381, 0.1926, 5e-5);
  ExpectInterval(NewcombeDifference(0, 10, 0, 20), -0.1611, 0.2775, 5e-5);
  ExpectInterval(NewcombeDifference(0, 10, 0, 10), -0.2775, 0.2775, 5e-5);
  ExpectInterval(NewcombeDifference(10, 10, 0, 20), 0.6791, 1.0000, 5e-5);
  ExpectInterval(NewcombeDifference(10, 10, 0, 10), 0.6075, 1.0000, 5e-5);
}

TEST(NewcombeDifference, HighPrecisionValues) {  // [MP]
  ExpectInterval(NewcombeDifference(56, 70, 48, 80), 0.0524314724024, 0.333872654037, 1e-11);
  ExpectInterval(NewcombeDifference(1300, 10000, 1000, 10000), 0.0211676104528, 0.0388399180038,
                 1e-11);
}

TEST(NewcombeDifference, IsAntisymmetric) {
  const Interval forward = NewcombeDifference(13, 40, 30, 70);
  const Interval backward = NewcombeDifference(30, 70, 13, 40);
  EXPECT_NEAR(forward.low, -backward.high, 1e-15);
  EXPECT_NEAR(forward.high, -backward.low, 1e-15);
}

TEST(RelativeLift, KatzLogValues) {  // [MP]
  ExpectInterval(RelativeLift(56, 70, 48, 80), 0.0766264227632, 0.651248511266, 1e-10);
  ExpectInterval(RelativeLift(1300, 10000, 1000, 10000), 0.202885431569, 0.404955081878, 1e-10);
  ExpectInterval(RelativeLift(20, 100, 10, 100), -0.0134367932682, 3.0544791988, 1e-9);
}

TEST(RelativeLift, ZeroCountGetsHalfCorrection) {  // [MP], with +0.5 on every count
  ExpectInterval(RelativeLift(5, 56, 0, 29), -0.671289086399, 99.3502325401, 1e-8);
}

TEST(RelativeLift, EmptyGroupKnowsNothing) {
  const Interval got = RelativeLift(3, 0, 4, 10);
  EXPECT_EQ(got.low, -1.0);
  EXPECT_EQ(got.high, INFINITY);
}

}  // namespace
}  // namespace signpost::experiments::stats
