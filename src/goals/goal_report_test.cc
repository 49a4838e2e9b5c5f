#include "goals/goal_report.h"

#include <gtest/gtest.h>

#include "wire/wire.h"

namespace signpost::goals {
namespace {

JourneyGoal Goal() {
  return {JourneyId("j"),
          *ParseGoal(YAML::Load("{ type: custom, met_when: A, target: { percent: 40 } }"), "goal")};
}

EntryRecord Entry(TimeMs at, bool holdout) {
  EntryRecord e;
  e.journey = JourneyId("j");
  e.entry = 1;
  e.version = 1;
  e.entered_at = at;
  e.holdout = holdout;
  return e;
}

Credit CreditOf(const EntryRecord& e, TimeMs hit) {
  Credit c;
  c.journey = e.journey;
  c.entry = e.entry;
  c.entered_at = e.entered_at;
  c.hit_at = hit;
  c.hit_event = "A";
  c.holdout = e.holdout;
  return c;
}

// 200 treated profiles, 120 attaining; 200 holdout, 40 attaining.
void Feed(GoalReportBuilder& b, int from, int to) {
  for (int i = from; i < to; ++i) {
    bool holdout = i % 2 == 1;
    EntryRecord e = Entry(i * kHourMs, holdout);
    bool attains = holdout ? (i / 2) % 5 == 0 : (i / 2) % 5 < 3;
    Credit c = CreditOf(e, e.entered_at + (i % 7) * kHourMs);
    b.AddProfile("p" + std::to_string(i), std::span(&e, 1), attains ? &c : nullptr);
  }
}

TEST(GoalReport, MergedPartialsEqualOneBuilder) {
  GoalReportBuilder whole(Goal(), 1), a(Goal(), 1), b(Goal(), 1);
  Feed(whole, 0, 400);
  Feed(a, 0, 150);
  Feed(b, 150, 400);
  a.Merge(b);
  EXPECT_EQ(wire::ToJson(whole.Report()), wire::ToJson(a.Report()));
  EXPECT_EQ(whole.People().size(), a.People().size());
  nlohmann::json r = wire::ToJson(whole.Report());
  EXPECT_EQ(r["entered"], 200);
  EXPECT_EQ(r["attained"], 120);
  EXPECT_DOUBLE_EQ(r["target_progress"].get<double>(), 0.6 / 0.4);
  EXPECT_EQ(r["holdout"]["attained"], 40);
  EXPECT_DOUBLE_EQ(r["lift"]["absolute"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(r["lift"]["relative"].get<double>(), 2.0);
  EXPECT_TRUE(r["lift"]["significant"].get<bool>());
  EXPECT_LT(r["lift"]["absolute_interval"][0].get<double>(), 0.4);
  EXPECT_GT(r["lift"]["absolute_interval"][1].get<double>(), 0.4);
}

TEST(GoalReport, EmptyReportHasZeroRatesAndNoTimes) {
  GoalReportBuilder b(Goal(), 7);
  EntryRecord other = Entry(0, false);
  other.journey = JourneyId("k");  // another journey's entry adds nothing
  b.AddProfile("x", std::span(&other, 1), nullptr);
  nlohmann::json r = wire::ToJson(b.Report());
  EXPECT_EQ(r["version"], 7);
  EXPECT_EQ(r["entered"], 0);
  EXPECT_EQ(r["rate"], 0.0);
  EXPECT_TRUE(r["lift"].is_null());
  EXPECT_TRUE(r["time_to_goal"]["median_ms"].is_null());
  EXPECT_EQ(r["over_time"].size(), 0u);
}

TEST(GoalReport, HoldoutWithNoAttainmentHasNoRelativeLift) {
  GoalReportBuilder b(Goal(), 1);
  EntryRecord t = Entry(0, false), h = Entry(0, true);
  Credit c = CreditOf(t, 10);
  b.AddProfile("t", std::span(&t, 1), &c);
  b.AddProfile("h", std::span(&h, 1), nullptr);
  nlohmann::json lift = wire::ToJson(b.Report())["lift"];
  EXPECT_DOUBLE_EQ(lift["absolute"].get<double>(), 1.0);
  EXPECT_TRUE(lift["relative"].is_null());
  EXPECT_FALSE(lift["significant"].get<bool>());  // one profile each: too few to tell
}

}  // namespace
}  // namespace signpost::goals
