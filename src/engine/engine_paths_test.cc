// Multi-path reporting through the engine: a stored funnel with an optional step, events ingested,
// the query as the API reads it; the sequences and the optional step's statistics checked against
// values computed independently (below), and the errors of bad bounds.
#include <gtest/gtest.h>

#include "engine/test_support.h"
#include "wire/paths.h"

namespace signpost {
namespace {

class EnginePathsTest : public EngineFixture<> {
 protected:
  // 80 people Start; the first 30 take the optional Tour, 24 of them Finish; of the 50 others, 20
  // Finish. A Ping between Start and Tour for every tenth person.
  void Build() {
    Apply(
        "kind: funnel\nid: t\nsteps:\n  - Start\n  - { event: Tour, optional: true }\n"
        "  - Finish\n");
    std::vector<Event> events;
    const TimeMs t0 = 1'700'000'000'000;
    for (int i = 0; i < 80; ++i) {
      const std::string who = "p" + std::to_string(i);
      const TimeMs t = t0 + i * 1000;
      events.push_back(TrackEvent(who, "Start", t, nlohmann::json::object(), "s-" + who));
      const bool tour = i < 30;
      if (tour)
        events.push_back(TrackEvent(who, "Tour", t + 2, nlohmann::json::object(), "t-" + who));
      const bool finish = tour ? i < 24 : i < 50;
      if (finish)
        events.push_back(TrackEvent(who, "Finish", t + 3, nlohmann::json::object(), "f-" + who));
    }
    Ingest(std::move(events));
  }
};

TEST_F(EnginePathsTest, SequencesAndOptionalStepEffectWithIndependentStatistics) {
  Build();
  auto q = wire::ParseFunnelPathsQuery("t", {{"step", "1"}, {"top", "5"}});
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto r = engine_->FunnelPaths(*q);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->reached, 80u);
  EXPECT_EQ(r->converted, 44u);
  EXPECT_EQ(r->next_name, "Finish");
  ASSERT_EQ(r->sequences.size(), 2u);
  EXPECT_TRUE(r->sequences[0].events.empty());  // the 50 without Tour, 20 finish
  EXPECT_EQ(r->sequences[0].people, 50u);
  EXPECT_EQ(r->sequences[0].converted, 20u);
  EXPECT_EQ(r->sequences[1].events, std::vector<std::string>{"Tour"});
  EXPECT_EQ(r->sequences[1].people, 30u);
  EXPECT_EQ(r->sequences[1].converted, 24u);

  ASSERT_EQ(r->optional.size(), 1u);
  const OptionalStepEffect& e = r->optional[0];
  EXPECT_EQ(e.name, "Tour");
  EXPECT_EQ(e.after_step, 1);
  EXPECT_EQ(e.with, 30u);
  EXPECT_EQ(e.with_completed, 24u);
  EXPECT_EQ(e.without, 50u);
  EXPECT_EQ(e.without_completed, 20u);
  EXPECT_NEAR(e.difference, 0.8 - 0.4, 1e-12);
  // Newcombe (1998) method 10 from the two Wilson score intervals, written out in Python:
  //   w(k, n) = (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959963984540054;
  //   low = d - sqrt((p1 - l1)² + (u2 - p2)²), high = d + sqrt((u1 - p1)² + (p2 - l2)²).
  EXPECT_NEAR(e.difference_interval.low, 0.17854124739179977, 1e-9);
  EXPECT_NEAR(e.difference_interval.high, 0.5623868161019804, 1e-9);
  // Fisher's exact two-sided p of [[24, 6], [20, 30]]: the hypergeometric probabilities (margins
  // 30 with, 44 completed, 80 people) no larger than the observed one's, summed exactly with
  // Python's fractions.
  EXPECT_NEAR(e.p_value, 0.000540835514645443, 1e-12);

  const nlohmann::json doc = wire::ToJson(*r);
  EXPECT_EQ(doc["sequences"][1]["events"][0], "Tour");
  EXPECT_EQ(doc["optional"][0]["with"], 30);
  EXPECT_EQ(doc["other"]["people"], 0);
}

TEST_F(EnginePathsTest, RefusesBadBoundsAndSteps) {
  Build();
  FunnelPathsQuery q;
  q.funnel.id = FunnelId("t");
  q.step = 3;  // the last required step
  EXPECT_EQ(engine_->FunnelPaths(q).status().code(), Code::kInvalidArgument);
  q.step = 1;
  q.max_length = 21;
  EXPECT_EQ(engine_->FunnelPaths(q).status().code(), Code::kInvalidArgument);
  q.max_length = 5;
  q.top = 0;
  EXPECT_EQ(engine_->FunnelPaths(q).status().code(), Code::kInvalidArgument);
  q.top = 10;
  q.funnel.id = FunnelId("nope");
  EXPECT_EQ(engine_->FunnelPaths(q).status().code(), Code::kNotFound);
  EXPECT_FALSE(wire::ParseFunnelPathsQuery("t", {{"max_length", "50"}}).ok());
  EXPECT_FALSE(wire::ParseFunnelPathsQuery("t", {{"top", "x"}}).ok());
  EXPECT_FALSE(wire::ParseFunnelPathsQuery("t", {{"collapse_repeats", "maybe"}}).ok());
  auto ok = wire::ParseFunnelPathsQuery("t", {{"collapse_repeats", "true"}, {"max_length", 3}});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->collapse_repeats);
  EXPECT_EQ(ok->max_length, 3);
}

}  // namespace
}  // namespace signpost
