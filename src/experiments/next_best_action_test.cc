#include "experiments/next_best_action.h"

#include <gtest/gtest.h>

namespace signpost::experiments {
namespace {

// The intervals below were computed independently (Python, from Newcombe 1998 method 10: with the
// Wilson score bounds l_i, u_i of p_i = k_i/n_i, low = d - sqrt((p1-l1)^2 + (u2-p2)^2) and high =
// d + sqrt((u1-p1)^2 + (p2-l2)^2), d = p1 - p2, z = 1.959963984540054).
TEST(NextBestActionRankTest, RecommendsTheHighestLiftWhoseIntervalExcludesZero) {
  std::vector<ActionGroups> actions = {
      {"weak", "", {100, 45}, {100, 40}},       // +5 points, [-0.0857, 0.1831]: not positive
      {"strong", "", {100, 60}, {100, 40}},     // +20 points, [0.0614, 0.3281]
      {"strong", "email", {40, 30}, {40, 10}},  // +50 points, [0.2851, 0.6529]
      {"tiny", "", {10, 5}, {10, 1}},           // +40 points, but under the minimum count
  };
  auto t = RankNextBestActions("vip", 240, actions, 30);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->segment, "vip");
  EXPECT_EQ(t->at_step, 240u);
  ASSERT_EQ(t->rows.size(), 4u);
  EXPECT_EQ(t->rows[0].action, "strong/email");
  EXPECT_EQ(t->rows[0].kind, "message");
  EXPECT_NEAR(t->rows[0].lift.absolute, 0.5, 1e-12);
  EXPECT_NEAR(t->rows[0].lift.absolute_interval.low, 0.28512493692576274, 1e-9);
  EXPECT_NEAR(t->rows[0].lift.absolute_interval.high, 0.6529172346892127, 1e-9);
  EXPECT_EQ(t->rows[1].action, "strong");
  EXPECT_NEAR(t->rows[1].lift.absolute_interval.low, 0.06141072916243928, 1e-9);
  EXPECT_NEAR(t->rows[1].lift.absolute_interval.high, 0.32812592946077196, 1e-9);
  EXPECT_TRUE(t->rows[1].positive);
  EXPECT_EQ(t->rows[2].action, "weak");
  EXPECT_TRUE(t->rows[2].tested);
  EXPECT_FALSE(t->rows[2].positive);
  EXPECT_NEAR(t->rows[2].lift.absolute_interval.low, -0.08569149836834172, 1e-9);
  EXPECT_EQ(t->rows[3].action, "tiny");
  EXPECT_FALSE(t->rows[3].tested);
  EXPECT_EQ(t->recommended, "strong/email");
  EXPECT_EQ(t->evidence, "lift");
}

TEST(NextBestActionRankTest, NotEnoughEvidenceWhenNoLowerBoundIsAboveZero) {
  // 5/10 against 1/10 has the interval [-0.0024, 0.6759]: a large lift, no evidence.
  auto t = RankNextBestActions("", 20, {{"j", "", {10, 5}, {10, 1}}}, 10);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_TRUE(t->rows[0].tested);
  EXPECT_NEAR(t->rows[0].lift.absolute_interval.low, -0.0023561093922479515, 1e-9);
  EXPECT_FALSE(t->rows[0].positive);
  EXPECT_EQ(t->recommended, "");
  EXPECT_EQ(t->evidence, "none");
  auto empty = RankNextBestActions("", 0, {}, 30);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->evidence, "none");
}

TEST(NextBestActionRankTest, MoreConvertedThanPeopleIsAnErrorNamingTheAction) {
  auto t = RankNextBestActions("", 1, {{"j", "s", {1, 2}, {1, 0}}}, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("j/s"), std::string::npos);
}

}  // namespace
}  // namespace signpost::experiments
