#include "experiments/experiment_lift.h"

#include <gtest/gtest.h>

#include <string>

namespace signpost::experiments {
namespace {

TEST(HoldoutLift, RatesDifferenceAndRatioWithTheirIntervals) {
  auto lift = HoldoutLift({10000, 1300}, {10000, 1000});
  ASSERT_TRUE(lift.ok()) << lift.status().ToString();
  EXPECT_DOUBLE_EQ(lift->treated_rate, 0.13);
  EXPECT_DOUBLE_EQ(lift->holdout_rate, 0.10);
  EXPECT_NEAR(lift->absolute, 0.03, 1e-15);
  ASSERT_TRUE(lift->relative.has_value());
  EXPECT_NEAR(*lift->relative, 0.30, 1e-12);
  // Newcombe method 10 and Katz, as computed in stats_test ([MP] there).
  EXPECT_NEAR(lift->absolute_interval.low, 0.0211676104528, 1e-11);
  EXPECT_NEAR(lift->absolute_interval.high, 0.0388399180038, 1e-11);
  EXPECT_NEAR(lift->relative_interval.low, 0.202885431569, 1e-10);
  EXPECT_NEAR(lift->relative_interval.high, 0.404955081878, 1e-10);
}

TEST(HoldoutLift, NoRelativeLiftOverAZeroHoldoutRate) {
  auto lift = HoldoutLift({100, 5}, {50, 0});
  ASSERT_TRUE(lift.ok());
  EXPECT_FALSE(lift->relative.has_value());
  EXPECT_GT(lift->relative_interval.high, 0);  // still defined, by the 0.5 correction
  EXPECT_DOUBLE_EQ(lift->absolute, 0.05);
}

TEST(HoldoutLift, RejectsMoreConvertedThanProfiles) {
  auto lift = HoldoutLift({10, 3}, {10, 11});
  ASSERT_FALSE(lift.ok());
  EXPECT_NE(lift.status().message().find("holdout.converted"), std::string::npos);
}

TEST(StepLifts, OneLiftPerStepFromTheEnteredProfiles) {
  auto lifts = StepLifts(1000, 500, {{800, 380}, {400, 150}, {100, 25}});
  ASSERT_TRUE(lifts.ok());
  ASSERT_EQ(lifts->size(), 3u);
  EXPECT_DOUBLE_EQ((*lifts)[0].treated_rate, 0.8);
  EXPECT_DOUBLE_EQ((*lifts)[0].holdout_rate, 0.76);
  EXPECT_DOUBLE_EQ((*lifts)[1].absolute, 0.4 - 0.3);
  EXPECT_NEAR(*(*lifts)[2].relative, 1.0, 1e-12);
  const auto direct = HoldoutLift({1000, 400}, {500, 150});
  EXPECT_EQ((*lifts)[1].absolute_interval.low, direct->absolute_interval.low);
}

TEST(StepLifts, NamesTheStepThatIsWrong) {
  auto lifts = StepLifts(100, 100, {{50, 50}, {101, 20}});
  ASSERT_FALSE(lifts.ok());
  EXPECT_NE(lifts.status().message().find("steps[1]: treated.converted"), std::string::npos)
      << lifts.status().message();
}

}  // namespace
}  // namespace signpost::experiments
