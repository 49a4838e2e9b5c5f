// Step health (step_health.h): the robust baseline, the verdicts on hand-made series, and a small
// seeded simulation that must meet the false-alert goal and catch a total drop.
#include "analytics/step_health.h"

#include <gtest/gtest.h>

#include <vector>

#include "analytics/step_health_simulation.h"

namespace signpost::analytics {
namespace {

using V = HealthCheck::Verdict;

// `weeks` weeks of a steady `rate` per hour, with a day/night shape (the baseline must follow it).
std::vector<double> Steady(double rate, size_t weeks) {
  std::vector<double> counts(weeks * kHoursPerWeek);
  for (size_t h = 0; h < counts.size(); ++h) counts[h] = (h % 24 < 8 ? 0.25 : 1.0) * rate;
  return counts;
}

TEST(StepHealthTest, RobustLevelIsMedianAndScaledMad) {
  std::vector<double> v = {10, 12, 11, 100};  // one broken week does not move it much
  const RobustLevel l = RobustLevelOf(v);
  EXPECT_DOUBLE_EQ(l.median, 11.5);
  EXPECT_NEAR(l.spread, 1.4826 * 1.0, 1e-9);
  std::vector<double> none;
  EXPECT_EQ(RobustLevelOf(none).median, 0);
}

TEST(StepHealthTest, SteadySeriesIsNormal) {
  const auto counts = Steady(40, 5);
  const HealthCheck c = CheckVolume(counts, 0, ThresholdsFor(HealthSensitivity::kMedium));
  EXPECT_EQ(c.verdict, V::kNormal);
  EXPECT_DOUBLE_EQ(c.observed, c.expected);
}

TEST(StepHealthTest, NoBaselineWeekIsNoData) {
  const auto counts = Steady(40, 1);  // the first week has nothing to compare with
  EXPECT_EQ(CheckVolume(counts, 0, {}).verdict, V::kNoData);
}

TEST(StepHealthTest, TotalStopIsADropWithinTheHourAtVolume) {
  auto counts = Steady(60, 5);
  counts.back() = 0;
  const HealthCheck c = CheckVolume(counts, 0, ThresholdsFor(HealthSensitivity::kMedium));
  EXPECT_EQ(c.verdict, V::kDrop);
  EXPECT_EQ(c.window_hours, 1u);
  EXPECT_DOUBLE_EQ(c.drop, 1.0);
}

TEST(StepHealthTest, LowVolumeStopNeedsALongerWindow) {
  auto counts = Steady(10, 5);  // 10 an hour in the day: one empty hour is not enough
  counts.back() = 0;
  const auto t = ThresholdsFor(HealthSensitivity::kMedium);
  EXPECT_NE(CheckVolume(counts, 0, t).verdict, V::kDrop);
  for (size_t h = 1; h <= 3; ++h) counts[counts.size() - h] = 0;
  const HealthCheck c = CheckVolume(counts, 0, t);
  EXPECT_EQ(c.verdict, V::kDrop);
  EXPECT_EQ(c.window_hours, 3u);
}

TEST(StepHealthTest, OffNeverAlerts) {
  auto counts = Steady(60, 5);
  for (size_t h = 1; h <= 24; ++h) counts[counts.size() - h] = 0;
  EXPECT_NE(CheckVolume(counts, 0, ThresholdsFor(HealthSensitivity::kOff)).verdict, V::kDrop);
}

TEST(StepHealthTest, WindowsStartAfterSince) {
  auto counts = Steady(60, 5);
  for (size_t h = 1; h <= 24; ++h) counts[counts.size() - h] = 0;
  const auto t = ThresholdsFor(HealthSensitivity::kMedium);
  // Every tested hour is before `since`: nothing to judge.
  EXPECT_EQ(CheckVolume(counts, counts.size(), t).verdict, V::kNoData);
  // The events came back in the last hour: normal, though the day is still far below.
  counts.back() = 60;
  EXPECT_EQ(CheckVolume(counts, 0, t).verdict, V::kNormal);
}

TEST(StepHealthTest, ConversionDropWhileTheStepBeforeIsSteady) {
  const auto from = Steady(100, 5);
  auto to = Steady(50, 5);
  const auto t = ThresholdsFor(HealthSensitivity::kMedium);
  EXPECT_EQ(CheckConversion(from, to, 0, t).verdict, V::kNormal);
  for (size_t h = 1; h <= 3; ++h) to[to.size() - h] = 10;
  EXPECT_EQ(CheckConversion(from, to, 0, t).verdict, V::kDrop);
}

TEST(StepHealthTest, PacingAndSendFailures) {
  EXPECT_TRUE(PacingBehind(0.2, 0.6));   // 20% of the target with 60% of the time gone
  EXPECT_FALSE(PacingBehind(0.5, 0.6));  // within 25% of the pace
  EXPECT_FALSE(PacingBehind(0.0, 0.1));  // too early to say
  EXPECT_TRUE(SendsFailing(10, 20));
  EXPECT_FALSE(SendsFailing(2, 0));      // too few failures
  EXPECT_FALSE(SendsFailing(10, 1000));  // 1%: not failing
}

TEST(StepHealthTest, SensitivityNames) {
  EXPECT_EQ(*ParseHealthSensitivity("high"), HealthSensitivity::kHigh);
  EXPECT_FALSE(ParseHealthSensitivity("loud").ok());
}

// The simulation of bench/step_health_sim, smaller: at the default sensitivity at most one false
// alert per step per 30 days, and every total drop detected (within two days even at one event an
// hour; bench/step_health_sim prints the full figures).
TEST(StepHealthTest, SeededSimulationMeetsTheFalseAlertGoalAndCatchesATotalDrop) {
  StepHealthScenario s;
  s.steps = 40;
  s.weeks = 8;
  s.seed = 7;
  const std::vector<double> drops = {1.0};
  const StepHealthOutcome out = SimulateStepHealth(s, drops);
  EXPECT_LE(out.false_alerts_per_step_per_30_days, 1.0);
  ASSERT_EQ(out.latencies.size(), 1u);
  EXPECT_EQ(out.latencies[0].injected, 40u);
  EXPECT_EQ(out.latencies[0].detected, 40u);
  EXPECT_LE(out.latencies[0].max_hours, 48);
  EXPECT_LE(out.latencies[0].median_hours, 6);
  // Deterministic for a seed.
  EXPECT_EQ(SimulateStepHealth(s, drops).false_alerts, out.false_alerts);
}

}  // namespace
}  // namespace signpost::analytics
