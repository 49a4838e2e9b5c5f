// Engine-level rules on an injected clock: auth, receivedAt and skew correction from the clock,
// cross-device identity in funnels (retroactive merge), live index updates, definitions versions.
#include "signpost/engine.h"

#include <gtest/gtest.h>

#include "base/time.h"
#include "engine/test_support.h"
#include "wire/wire.h"

namespace signpost {
namespace {

class EngineTest : public EngineFixture<> {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    key_ = WriteKey();
  }
  IngestOutcome Post(std::string_view endpoint, std::string_view body) {
    auto r = engine_->IngestHttp(endpoint, body, key_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : IngestOutcome{};
  }
  // `e` over the HTTP ingest path, at the endpoint of its type.
  IngestOutcome Post(const Event& e) { return Post(EventTypeName(e.type), SegmentBody(e).dump()); }
  static TimeMs At(const char* iso) { return *ParseIso8601(iso); }
  nlohmann::json Funnel(std::string_view steps) {
    FunnelQuery q;
    q.steps = std::string(steps);
    auto r = engine_->Funnel(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? wire::ToJson(*r) : nlohmann::json();
  }

  std::string key_;
};

TEST_F(EngineTest, RefusesIngestWithoutAValidWriteKey) {
  auto r = engine_->IngestHttp("track", R"({"userId":"u","event":"E"})", "not-a-key");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(engine_->EventCount(), 0u);
}

TEST_F(EngineTest, ReceivedAtAndSkewCorrectionComeFromTheInjectedClock) {
  // The device clock is a year ahead; it sent the event 10 s after it happened.
  Post("track", R"({"userId":"u","event":"E","messageId":"m",
                    "originalTimestamp":"2027-11-24T11:59:50Z","sentAt":"2027-11-24T12:00:00Z"})");
  auto events = engine_->ProfileEvents("u", 10);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->events.empty());
  EXPECT_EQ(events->events[0].received_at, *ParseIso8601("2026-11-24T12:00:00Z"));
  EXPECT_EQ(events->events[0].timestamp, *ParseIso8601("2026-11-24T11:59:50Z"));
}

TEST_F(EngineTest, AJourneyStartedOnAPhoneAndFinishedOnALaptopIsOnePerson) {
  // Phone: anonymous sign-up. Laptop: the order under the userId. Then an identify links them.
  Post(Track("anon:phone", "Signed Up", At("2026-11-20T10:00:00Z")));
  Post(Track("ann", "Order Completed", At("2026-11-20T11:00:00Z")));
  auto before = Funnel("Signed Up>Order Completed");
  EXPECT_EQ(before["steps"][0]["count"], 1);
  EXPECT_EQ(before["steps"][1]["count"], 0);  // two strangers so far
  Event link = Identify("ann", At("2026-11-20T12:00:00Z"));
  link.anonymous_id = "phone";
  Post(link);
  auto after = Funnel("Signed Up>Order Completed");
  EXPECT_EQ(after["steps"][0]["count"], 1);
  EXPECT_EQ(after["steps"][1]["count"], 1);  // one person, retroactively
}

TEST_F(EngineTest, TwoUserIdsAreNeverMergedSoTheFunnelKeepsThemApart) {
  Post(Track("a", "Signed Up", At("2026-11-20T10:00:00Z")));
  Post(Track("b", "Order Completed", At("2026-11-20T11:00:00Z")));
  auto r = Post("alias", R"({"userId":"b","previousId":"a","timestamp":"2026-11-20T12:00:00Z"})");
  EXPECT_EQ(r.refused_merges.size(), 1u);
  EXPECT_EQ(Funnel("Signed Up>Order Completed")["steps"][1]["count"], 0);
}

TEST_F(EngineTest, DuplicatesAreCountedOnceInTheIndex) {
  for (int i = 0; i < 3; ++i)
    Post("track", R"({"userId":"u","event":"Signed Up","messageId":"same"})");
  EXPECT_EQ(engine_->EventCount(), 1u);
  EXPECT_EQ(Funnel("Signed Up>X")["entered"], 1);
}

// Every apply that changes a definition is a new version (the same definition again stores none:
// engine_apply_test.cc).
TEST_F(EngineTest, EveryChangeIsANewVersionAndReportsNameIt) {
  const char* def = "kind: funnel\nid: f\nsteps: [{event: A}, {event: B}]\n";
  EXPECT_EQ(engine_->Apply(def, "one")->applied.at(0).version, 1u);
  EXPECT_EQ(engine_->Apply("kind: funnel\nid: f\nsteps: [{event: A}, {event: C}]\n", "two")
                ->applied.at(0)
                .version,
            2u);
  FunnelQuery q;
  q.id = FunnelId("f");
  EXPECT_EQ(engine_->Funnel(q)->definition_version, 2);
  q.version = 1;
  EXPECT_EQ(engine_->Funnel(q)->definition_version, 1);
}

TEST_F(EngineTest, ApplyRejectsAnUnknownKindAndNamesTheFix) {
  auto r = engine_->Apply("kind: dashboard\nid: x\n", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("kind"), std::string::npos);
}

TEST_F(EngineTest, RejectedItemsAreKeptAndReimportedWhenTheyBecomeValid) {
  auto r = Post("batch", R"({"batch":[{"type":"track","userId":"u","event":"Ok"},
                                       {"type":"track","event":"No person"}]})");
  EXPECT_EQ(r.accepted, 1u);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].location, "batch[1]");
  auto letters = engine_->ListDeadLetters(10);
  ASSERT_TRUE(letters.ok());
  EXPECT_EQ(letters->dead_letters.size(), 1u);
  auto again = engine_->ReimportDeadLetters({});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rejections.size(), 1u);  // still invalid: kept
  EXPECT_EQ(engine_->ListDeadLetters(10)->dead_letters.size(), 1u);
}

TEST_F(EngineTest, TheIndexRebuiltAtOpenGivesTheSameReportAsTheLiveOne) {
  Post(Track("anon:x", "A", At("2026-11-20T10:00:00Z"), {{"p", 1}}));
  Post(Track("u", "B", At("2026-11-20T11:00:00Z"), {{"p", 2}}));
  Event link = Identify("u", At("2026-11-20T12:00:00Z"));
  link.anonymous_id = "x";
  Post(link);
  Post(Track("v", "A", At("2026-11-21T10:00:00Z"), {{"p", 1}}));
  FunnelQuery q;
  q.steps = "A>B";
  q.breakdown = "properties.p";
  auto live = engine_->Funnel(q);
  ASSERT_TRUE(live.ok());
  Reopen();
  auto rebuilt = engine_->Funnel(q);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(wire::ToJson(*live).dump(), wire::ToJson(*rebuilt).dump());
  EXPECT_EQ(rebuilt->steps[1].count, 1u);
}

}  // namespace
}  // namespace signpost
