// Step drivers through the engine: a stored funnel, events ingested, a static segment and a trait
// as candidates; the report's counts and ranking, and its query and errors as the API reads them.
#include <gtest/gtest.h>

#include "engine/test_support.h"
#include "wire/insights.h"

namespace signpost {
namespace {

class EngineInsightsTest : public EngineFixture<> {
 protected:
  // 200 people do A; the 100 with a Tip between A and B convert 80%, the others 20%. Even ones
  // are in the static list "evens" (no effect) and have traits.plan = pro (no effect).
  void Build() {
    Apply("kind: funnel\nid: f\nsteps: [A, B]\n");
    std::vector<Event> events;
    std::vector<std::string> evens;
    const TimeMs t0 = 1'700'000'000'000;
    for (int i = 0; i < 200; ++i) {
      const std::string who = "u" + std::to_string(i);
      const TimeMs t = t0 + i * 1000;
      events.push_back(
          IdentifyEvent(who, t - 10, {{"plan", i % 2 == 0 ? "pro" : "free"}}, "id-" + who));
      events.push_back(TrackEvent(who, "A", t, nlohmann::json::object(), "a-" + who));
      const bool tip = i < 100;
      if (tip)
        events.push_back(TrackEvent(who, "Tip", t + 1, nlohmann::json::object(), "t-" + who));
      const bool converts = tip ? i % 10 < 8 : i % 10 < 2;
      if (converts)
        events.push_back(TrackEvent(who, "B", t + 2, nlohmann::json::object(), "b-" + who));
      if (i % 2 == 0) evens.push_back("user:" + who);
    }
    Ingest(std::move(events));
    ASSERT_TRUE(engine_->ImportSegment(SegmentId("evens"), evens, "test").ok());
  }
};

TEST_F(EngineInsightsTest, FindsThePlantedDriverAndNotTheNullOnes) {
  Build();
  auto q = wire::ParseStepDriversQuery(
      "f", {{"step", "1"}, {"traits", "traits.plan"}, {"segments", "evens"}, {"min_count", "10"}});
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto r = engine_->FunnelDrivers(*q);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->reached, 200u);
  EXPECT_EQ(r->converted, 100u);
  EXPECT_EQ(r->step_name, "A");
  EXPECT_EQ(r->target_name, "B");
  ASSERT_FALSE(r->drivers.empty());
  const StepDriver& top = r->drivers[0];
  EXPECT_EQ(top.kind, "event");
  EXPECT_EQ(top.event, "Tip");
  EXPECT_EQ(top.converted_with, 80u);
  EXPECT_EQ(top.dropped_with, 20u);
  EXPECT_NEAR(top.odds_ratio, 16.0, 1e-9);  // (80·80)/(20·20)
  EXPECT_TRUE(top.significant);
  EXPECT_EQ(r->significant, 1u);  // the plan and the segment are balanced: not significant
  bool saw_segment = false, saw_trait = false;
  for (const StepDriver& d : r->drivers) {
    saw_segment |= d.kind == "segment" && d.value == "evens";
    saw_trait |= d.kind == "trait" && d.path == "traits.plan" && d.value == "pro";
  }
  EXPECT_TRUE(saw_segment);
  EXPECT_TRUE(saw_trait);
  const nlohmann::json doc = wire::ToJson(*r);
  EXPECT_EQ(doc["drivers"][0]["people_with"], 100);
  EXPECT_EQ(doc["population"], "people who reached step 1 (A)");
}

TEST_F(EngineInsightsTest, RefusesABadStepOrCandidate) {
  Build();
  StepDriversQuery q;
  q.funnel.id = FunnelId("f");
  q.step = 2;  // the last step has no next one
  EXPECT_EQ(engine_->FunnelDrivers(q).status().code(), Code::kInvalidArgument);
  q.step = 1;
  q.traits = {"properties.plan"};
  EXPECT_EQ(engine_->FunnelDrivers(q).status().code(), Code::kInvalidArgument);
  q.traits.clear();
  q.fdr = 1.5;
  EXPECT_EQ(engine_->FunnelDrivers(q).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(wire::ParseStepDriversQuery("f", {{"target", "x"}, {"step", 1}}).ok());
  EXPECT_FALSE(wire::ParseStepDriversQuery("f", nlohmann::json::object()).ok());  // no step
}

}  // namespace
}  // namespace signpost

namespace signpost {
namespace {

// A>B>C>Goal: C doubles the goal rate, B does nothing; the model ranks C first and beats the
// majority guess on the held-out fifth.
TEST_F(EngineInsightsTest, StepImportanceRanksTheMilestoneThatPredictsTheGoal) {
  Apply("kind: funnel\nid: g\nsteps: [A, B, C, Goal]\n");
  std::vector<Event> events;
  const TimeMs t0 = 1'700'000'000'000;
  for (int i = 0; i < 400; ++i) {
    const std::string who = "p" + std::to_string(i);
    const TimeMs t = t0 + i * 1000;
    events.push_back(TrackEvent(who, "A", t, nlohmann::json::object(), "a-" + who));
    if (i % 2 == 0)
      events.push_back(TrackEvent(who, "B", t + 1, nlohmann::json::object(), "b-" + who));
    const bool c = (i / 2) % 2 == 0;
    if (c) events.push_back(TrackEvent(who, "C", t + 2, nlohmann::json::object(), "c-" + who));
    if (c ? i % 10 < 8 : i % 10 < 2)
      events.push_back(TrackEvent(who, "Goal", t + 3, nlohmann::json::object(), "g-" + who));
  }
  Ingest(std::move(events));
  auto q = wire::ParseStepImportanceQuery("g", {{"l2", "0.5"}});
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto r = engine_->FunnelImportance(*q);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->groups.size(), 1u);
  const StepImportanceGroup& g = r->groups[0];
  EXPECT_EQ(r->goal_name, "Goal");
  EXPECT_EQ(g.entered, 400u);
  ASSERT_EQ(g.steps.size(), 2u);
  EXPECT_EQ(g.steps[0].name, "C");
  EXPECT_EQ(g.steps[0].with, 200u);
  EXPECT_NEAR(g.steps[0].rate_with, 0.8, 1e-12);
  EXPECT_NEAR(g.steps[0].rate_without, 0.2, 1e-12);
  EXPECT_EQ(g.steps[1].name, "B");
  EXPECT_NEAR(g.steps[1].difference, 0.0, 0.06);
  EXPECT_TRUE(g.converged);
  EXPECT_EQ(g.train_people + g.test_people, 400u);
  EXPECT_GT(g.accuracy, g.baseline);
  EXPECT_EQ(wire::ToJson(*r)["groups"][0]["segment"], nullptr);
}

}  // namespace
}  // namespace signpost
