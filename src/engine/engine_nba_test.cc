// The next best action through the engine: a stored funnel naming a segment, journey entries at
// step 2 ingested as the runtime records them, the ranked tables, one person's recommendation, the
// segment filter and its errors, and the snapshot kept until it is an hour old or refreshed.
#include <gtest/gtest.h>

#include "engine/test_support.h"
#include "wire/insights.h"

namespace signpost {
namespace {

class EngineNbaTest : public EngineFixture<> {
 protected:
  // 40 people reach B and then enter journey j: the 20 treated convert to C 80% of the time, the
  // 20 held out 20%. Even ones are in the static list "evens".
  void Build() {
    Apply(
        "kind: funnel\nid: f\nsteps: [A, B, C]\n"
        "next_best_action: { segments: [evens], min_count: 5 }\n");
    std::vector<Event> events;
    std::vector<std::string> evens;
    t0_ = clock_.NowMs() - kDayMs;
    for (int i = 0; i < 40; ++i) Person(i, &events);
    for (int i = 0; i < 40; i += 2) evens.push_back("user:u" + std::to_string(i));
    Ingest(std::move(events));
    ASSERT_TRUE(engine_->ImportSegment(SegmentId("evens"), evens, "test").ok());
  }
  void Person(int i, std::vector<Event>* events) {
    const std::string who = "u" + std::to_string(i);
    const TimeMs t = t0_ + i * 1000;
    const bool holdout = i >= 20;
    events->push_back(TrackEvent(who, "A", t, nlohmann::json::object(), "a-" + who));
    events->push_back(TrackEvent(who, "B", t + 1, nlohmann::json::object(), "b-" + who));
    events->push_back(TrackEvent(who, "Journey Entered", t + 2,
                                 {{"journey", "j"}, {"holdout", holdout}, {"entry", 1}},
                                 "e-" + who));
    if (i % 10 < (holdout ? 2 : 8))
      events->push_back(TrackEvent(who, "C", t + 3, nlohmann::json::object(), "c-" + who));
  }
  TimeMs t0_ = 0;
};

TEST_F(EngineNbaTest, RanksTheJourneyAndRecommendsItPerPerson) {
  Build();
  auto q = wire::ParseNextBestActionQuery("f", {{"step", "2"}});
  ASSERT_TRUE(q.ok());
  auto r = engine_->FunnelNextBestAction(*q);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->step_name, "B");
  EXPECT_EQ(r->target_name, "C");
  ASSERT_EQ(r->tables.size(), 2u);
  const NextBestActionTable& all = r->tables[0];
  EXPECT_EQ(all.segment, "");
  EXPECT_EQ(all.at_step, 40u);
  ASSERT_EQ(all.rows.size(), 1u);
  EXPECT_EQ(all.rows[0].treated, 20u);
  EXPECT_EQ(all.rows[0].treated_converted, 16u);
  EXPECT_EQ(all.rows[0].holdout, 20u);
  EXPECT_EQ(all.rows[0].holdout_converted, 4u);
  EXPECT_NEAR(all.rows[0].lift.absolute, 0.6, 1e-12);
  EXPECT_EQ(all.recommended, "j");
  EXPECT_EQ(r->tables[1].segment, "evens");
  EXPECT_EQ(r->tables[1].at_step, 20u);

  // u99 reaches B and not C: stuck at 2, in no segment (everyone); u0 converted: not stuck.
  Ingest({TrackEvent("u99", "A", clock_.NowMs() - 10, nlohmann::json::object(), "a-u99"),
          TrackEvent("u99", "B", clock_.NowMs() - 5, nlohmann::json::object(), "b-u99")});
  auto stuck = engine_->NextBestActionFor("user:u99", FunnelId("f"));
  ASSERT_TRUE(stuck.ok()) << stuck.status().message();
  EXPECT_TRUE(stuck->stuck);
  EXPECT_EQ(stuck->last_step, 2);
  EXPECT_EQ(stuck->segment, "");
  EXPECT_EQ(stuck->recommended, "j");
  ASSERT_TRUE(stuck->row.has_value());
  EXPECT_EQ(wire::ToJson(*stuck)["evidence"], "lift");
  auto done = engine_->NextBestActionFor("user:u0", FunnelId("f"));
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(done->stuck);
  EXPECT_EQ(done->recommended, "");
  EXPECT_EQ(done->evidence, "none");
}

TEST_F(EngineNbaTest, OneSegmentsTableAndItsErrors) {
  Build();
  auto r = engine_->FunnelNextBestAction(
      *wire::ParseNextBestActionQuery("f", {{"step", "2"}, {"segment", "evens"}}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->tables.size(), 1u);
  EXPECT_EQ(r->tables[0].rows[0].treated, 10u);
  auto unknown = engine_->FunnelNextBestAction(
      *wire::ParseNextBestActionQuery("f", {{"step", "2"}, {"segment", "odds"}}));
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  auto last = engine_->FunnelNextBestAction(*wire::ParseNextBestActionQuery("f", {{"step", "3"}}));
  EXPECT_EQ(last.status().code(), Code::kInvalidArgument);
  auto nofunnel =
      engine_->FunnelNextBestAction(*wire::ParseNextBestActionQuery("g", {{"step", "2"}}));
  EXPECT_EQ(nofunnel.status().code(), Code::kNotFound);
  EXPECT_FALSE(wire::ParseNextBestActionQuery("f", nlohmann::json::object()).ok());
  EXPECT_FALSE(wire::ParseNextBestActionQuery("f", {{"step", "2"}, {"refresh", "maybe"}}).ok());
}

// The snapshot is read, not recomputed, until it is an hour old (or refreshed on demand).
TEST_F(EngineNbaTest, SnapshotKeptForAnHourOrUntilRefreshed) {
  Build();
  auto q = *wire::ParseNextBestActionQuery("f", {{"step", "2"}});
  auto first = engine_->FunnelNextBestAction(q);
  ASSERT_TRUE(first.ok());
  std::vector<Event> more;
  for (int i = 40; i < 50; ++i) Person(i, &more);
  Ingest(std::move(more));
  clock_.Advance(30 * kMinuteMs);
  auto cached = engine_->FunnelNextBestAction(q);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->as_of, first->as_of);
  EXPECT_EQ(cached->tables[0].at_step, 40u);
  q.refresh = true;
  auto fresh = engine_->FunnelNextBestAction(q);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->tables[0].at_step, 50u);
  q.refresh = false;
  clock_.Advance(kHourMs);
  auto later = engine_->FunnelNextBestAction(q);
  ASSERT_TRUE(later.ok());
  EXPECT_GT(later->as_of, fresh->as_of);
}

}  // namespace
}  // namespace signpost
