#include "experiments/assignment.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace signpost::experiments {
namespace {

// Regression: assignments must never change between releases (a profile would switch variant or
// group mid-test). The expected strings were produced by the journey runtime's own split and
// holdout code before it moved here (src/journeys/runtime.cc at 6d7d914: XXH3 of the key, a NUL
// and the profile id's bytes, modulo 10,000, on percent × 100), for profiles 1..24 (1..40 for the
// holdout); XXH3_64bits is specified bit for bit, so they hold on every platform.
std::string Variants(std::string_view key, const std::vector<double>& percents) {
  std::string got;
  for (uint64_t p = 1; p <= 24; ++p)
    got += std::to_string(AssignVariant(key, ProfileId(p), percents));
  return got;
}

TEST(AssignVariant, PinnedLiveAssignmentsNeverChange) {
  EXPECT_EQ(Variants("onboarding/ab", {50, 50}), "110111111010011100110001");
  EXPECT_EQ(Variants("news/subject-test", {40, 60}), "000100001001101110001111");
  EXPECT_EQ(Variants("j/s", {10, 20, 30, 40}), "213121232221123133223312");
  EXPECT_EQ(Variants("promo/x", {90, 10}), "001000000000010000010000");
  EXPECT_EQ(Variants("k/three", {33.3, 33.3, 33.4}), "021022120221222102021111");
}

TEST(AssignmentBucket, PinnedBucketsNeverChange) {
  EXPECT_EQ(AssignmentBucket("onboarding", ProfileId(1)), 4045u);
  EXPECT_EQ(AssignmentBucket("onboarding", ProfileId(2)), 5039u);
  EXPECT_EQ(AssignmentBucket("onboarding", ProfileId(3)), 6465u);
  EXPECT_EQ(AssignmentBucket("onboarding", ProfileId(42)), 8808u);
  EXPECT_EQ(AssignmentBucket("onboarding", ProfileId(1000)), 3397u);
  EXPECT_EQ(AssignmentBucket("onboarding", ProfileId(123456789)), 6488u);
  EXPECT_EQ(AssignmentBucket("onboarding", ProfileId(0xffffffffffffull)), 9479u);
}

TEST(InHoldout, PinnedLiveHoldoutNeverChanges) {
  std::string got;
  for (uint64_t p = 1; p <= 40; ++p) got += InHoldout("onboarding", ProfileId(p), 20) ? '1' : '0';
  EXPECT_EQ(got, "0001000000000001000010001001001000101001");
  EXPECT_FALSE(InHoldout("onboarding", ProfileId(4), 0));
}

TEST(AssignVariant, FollowsThePercents) {
  const int n = 100000;
  std::vector<int> two(2), three(3);
  for (int i = 0; i < n; ++i) {
    ++two[AssignVariant("ninety-ten", ProfileId(i), {90, 10})];
    ++three[AssignVariant("quarter-half-quarter", ProfileId(i), {25, 50, 25})];
  }
  // Binomial sd at n = 100,000 is under 0.0016; allow 4 sd.
  EXPECT_NEAR(two[1] / double(n), 0.10, 0.005);
  EXPECT_NEAR(three[0] / double(n), 0.25, 0.006);
  EXPECT_NEAR(three[1] / double(n), 0.50, 0.007);
}

TEST(AssignVariant, ExperimentsAreIndependent) {
  const int n = 20000;
  int same = 0;
  for (int i = 0; i < n; ++i) {
    same += AssignVariant("first", ProfileId(i), {50, 50}) ==
            AssignVariant("second", ProfileId(i), {50, 50});
  }
  EXPECT_NEAR(same / double(n), 0.5, 0.02);
}

}  // namespace
}  // namespace signpost::experiments
