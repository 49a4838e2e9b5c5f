// Programme replays and what-ifs (Engine::ReplayProgramme, Engine::CompareReplays): the requests
// they refuse, and a what-if's goal-rate difference with its Newcombe interval. The live == replay
// property of programmes is proven by the journey scenarios (`replay: programme`).
#include <gtest/gtest.h>

#include "engine/test_support.h"
#include "experiments/stats.h"
#include "signpost/engine.h"

namespace signpost {
namespace {

class ReplayProgrammeTest : public EngineFixture<> {};

constexpr TimeMs kDay = kDayMs;

TEST_F(ReplayProgrammeTest, RefusesAnEmptyProgrammeAndUnknownJourneysOrVersions) {
  const TimeMs t0 = clock_.NowMs();
  auto none = engine_->ReplayProgramme({.journeys = {}, .all = false, .from = t0, .to = t0 + 1});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("journeys: none to replay"), std::string::npos);
  auto unknown =
      engine_->ReplayProgramme({.journeys = {"nope"}, .all = false, .from = t0, .to = t0 + 1});
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  Apply("kind: journey\nid: j\nentry: { event: A }\nsteps:\n  - { id: w, wait: { for: 1h } }\n");
  auto version = engine_->CompareReplays({.journey = "j",
                                          .version_a = 1,
                                          .version_b = 7,
                                          .with = {},
                                          .with_all = false,
                                          .from = t0,
                                          .to = t0 + 1});
  EXPECT_EQ(version.status().code(), Code::kNotFound);
  EXPECT_NE(version.status().message().find("has no version 7"), std::string::npos);
  auto backwards =
      engine_->ReplayProgramme({.journeys = {"j"}, .all = false, .from = t0 + 1, .to = t0});
  EXPECT_EQ(backwards.status().code(), Code::kInvalidArgument);
}

// Version 1 admits only carts over 100 (u1, u2: one of them buys), version 2 every cart (u1..u4:
// still one buyer). Over the same history: a = 1/2, b = 1/4, b - a = -0.25 with Newcombe's
// interval of (1 of 4) against (1 of 2).
TEST_F(ReplayProgrammeTest, AWhatIfReportsTheGoalRateDifferenceWithItsInterval) {
  const TimeMs t0 = clock_.NowMs();
  const std::string goal =
      "goal: { type: drive_purchase, met_when: { event: Order Completed } }\n"
      "steps:\n  - { id: w, wait: { for: 1d } }\n";
  Apply(
      "kind: journey\nid: cart\nentry: { event: Cart Abandoned, where: { properties.value: { gt: "
      "100 } } }\n" +
      goal);
  Apply("kind: journey\nid: cart\nentry: { event: Cart Abandoned }\n" + goal);
  Ingest({Track("u1", "Cart Abandoned", t0 + 1000, {{"value", 150}}),
          Track("u2", "Cart Abandoned", t0 + 1000, {{"value", 200}}),
          Track("u3", "Cart Abandoned", t0 + 1000, {{"value", 50}}),
          Track("u4", "Cart Abandoned", t0 + 1000, {{"value", 20}}),
          Track("u1", "Order Completed", t0 + kDay / 2)});
  auto c = engine_->CompareReplays({.journey = "cart",
                                    .version_a = 1,
                                    .version_b = 2,
                                    .with = {},
                                    .with_all = false,
                                    .from = t0,
                                    .to = t0 + 3 * kDay});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->a.version, 1u);
  EXPECT_EQ(c->b.version, 2u);
  ASSERT_TRUE(c->a.goal && c->b.goal);
  EXPECT_EQ(c->a.goal->entered, 2u);
  EXPECT_EQ(c->a.goal->attained, 1u);
  EXPECT_EQ(c->b.goal->entered, 4u);
  EXPECT_EQ(c->b.goal->attained, 1u);
  ASSERT_TRUE(c->rate_difference && c->difference_interval);
  EXPECT_DOUBLE_EQ(*c->rate_difference, -0.25);
  const RateInterval want = experiments::stats::NewcombeDifference(1, 4, 1, 2);
  EXPECT_DOUBLE_EQ(c->difference_interval->low, want.low);
  EXPECT_DOUBLE_EQ(c->difference_interval->high, want.high);
  EXPECT_LT(c->difference_interval->low, -0.25);
  EXPECT_GT(c->difference_interval->high, -0.25);
  // The same history as a programme of the latest version alone: b's numbers.
  auto p = engine_->ReplayProgramme({.journeys = {}, .all = true, .from = t0, .to = t0 + 3 * kDay});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->journeys.size(), 1u);
  EXPECT_EQ(p->journeys[0].goal->entered, 4u);
  EXPECT_EQ(p->journeys[0].goal->attained, 1u);
}

}  // namespace
}  // namespace signpost
