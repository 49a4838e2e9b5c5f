#include "analytics/step_importance.h"

#include <gtest/gtest.h>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;

uint64_t Count(const MilestoneCounts& c, uint64_t milestones, bool goal) {
  uint64_t n = 0;
  for (const MilestonePattern& p : c.patterns)
    if (p.milestones == milestones) n += goal ? p.goal : p.no_goal;
  return n;
}

TEST(StepImportance, MilestonesInAnyOrderUntilTheGoalOrTheWindowEnds) {
  EventIndex index;
  uint64_t s = 0;
  const TimeMs day = kDayMs;
  // A>B>C>D: B and C are milestones, D the goal.
  index.Add(ProfileId(1), TrackEvent(++s, 0, "A"));
  index.Add(ProfileId(1), TrackEvent(++s, 10, "C"));  // out of order: still a milestone
  index.Add(ProfileId(1), TrackEvent(++s, 20, "B"));
  index.Add(ProfileId(1), TrackEvent(++s, 30, "D"));
  index.Add(ProfileId(2), TrackEvent(++s, 0, "A"));
  index.Add(ProfileId(2), TrackEvent(++s, 10, "D"));
  index.Add(ProfileId(2), TrackEvent(++s, 20, "B"));  // after the goal: not counted
  index.Add(ProfileId(3), TrackEvent(++s, 0, "A"));
  index.Add(ProfileId(3), TrackEvent(++s, 10, "B"));
  index.Add(ProfileId(3), TrackEvent(++s, 8 * day, "C"));  // after the 7-day window
  index.Add(ProfileId(3), TrackEvent(++s, 8 * day, "D"));
  index.Add(ProfileId(4), TrackEvent(++s, 0, "B"));  // never entered
  auto c = CountMilestones(index, *ParseAdHocFunnel("A>B>C>D"), {}, nullptr);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->goal, 3);
  EXPECT_EQ(c->steps, (std::vector<int>{1, 2}));
  EXPECT_EQ(c->entered, 3u);
  EXPECT_EQ(c->reached_goal, 2u);
  EXPECT_EQ(Count(*c, 0b11, true), 1u);   // person 1: B and C, goal
  EXPECT_EQ(Count(*c, 0b00, true), 1u);   // person 2: goal, nothing before it
  EXPECT_EQ(Count(*c, 0b01, false), 1u);  // person 3: B only, no goal in the window
  EXPECT_FALSE(CountMilestones(index, *ParseAdHocFunnel("A"), {}, nullptr).ok());
}

TEST(StepImportance, HeldOutIsAboutOneInFive) {
  EventIndex index;
  uint64_t s = 0;
  for (uint64_t p = 1; p <= 5000; ++p) index.Add(ProfileId(p), TrackEvent(++s, 0, "A"));
  auto c = CountMilestones(index, *ParseAdHocFunnel("A>B"), {}, nullptr);
  ASSERT_TRUE(c.ok());
  uint64_t held = 0;
  for (const MilestonePattern& p : c->patterns) held += p.held_out ? p.no_goal : 0;
  EXPECT_GT(held, 900u);
  EXPECT_LT(held, 1100u);
}

}  // namespace
}  // namespace signpost::analytics
