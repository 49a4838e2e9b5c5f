// The journeys runtime in partitions (src/journeys/README.md, "Partitions"): an identity merge
// whose two profiles live in different partitions moves the waiting journey across, also when the
// engine stops between the two sides (the merged-away profile's partition has written past the
// merge, the survivor's has not); a partition waiting for a handoff persists nothing past the
// merge and shows its lag; a folder re-homed to another number of partitions keeps its counters
// and its waits.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "base/system_events.h"
#include "engine/engine_impl.h"
#include "engine/journey_service.h"
#include "engine/test_support.h"
#include "journeys/partition.h"
#include "store/journey_records.h"

namespace signpost {
namespace {

using nlohmann::json;

// Scenario 47's journey (tests/scenarios/journeys/47_identity_merge_mid_wait.yaml).
const char* kCartDefinitions[] = {
    "kind: channel\nid: email\ntype: file\npath: email.ndjson\n",
    "kind: template\nid: t\nchannel: email\nsubject: \"Hi\"\nhtml: \"<p>Hi</p>\"\n",
    R"(kind: journey
id: cart
entry: { event: Cart Abandoned }
steps:
  - id: wait-buy
    wait: { until_event: Order Completed, match: { properties.cart_id: "{{entry.properties.cart_id}}" }, timeout: 2d }
    on_event: thanks
    on_timeout: nudge
  - { id: nudge, message: { channel: email, template: t }, next: end }
  - { id: thanks, message: { channel: email, template: t } }
)"};

class JourneyPartitionsTest : public EngineFixture<> {
 protected:
  std::string StartAt() const override { return "2026-11-01T08:00:00Z"; }
  bool OpenAtSetUp() const override { return false; }
  EngineOptions Options() const override {
    EngineOptions o = EngineFixture::Options();
    o.journey_partitions = partitions_;
    o.journey_queue_payloads = queue_payloads_;
    o.journey_ready_lag_ms = ready_lag_ms_;
    return o;
  }
  void OpenWith(uint32_t partitions) {
    partitions_ = partitions;
    ASSERT_NO_FATAL_FAILURE(Open());
    key_ = WriteKey();
  }
  engine::JourneyService& Journeys() { return *ImplOf(*engine_).journeys; }
  void Send(Event e) {
    e.message_id = "m" + std::to_string(++sent_);
    auto r = engine_->IngestHttp(std::string(EventTypeName(e.type)), SegmentBody(e).dump(), key_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->accepted, 1u);
  }
  void At(const std::string& time) {
    auto t = ParseIso8601(time);
    ASSERT_TRUE(t.ok());
    clock_.Set(*t);
  }
  // u1 on a laptop, a1 on a phone: a1 abandons cart c1 and enters the cart journey. Returns the
  // partitions of u1 (the survivor of the merge to come) and a1 (merged away).
  void Before() {
    for (const char* d : kCartDefinitions) ASSERT_TRUE(engine_->Apply(d, "test").ok());
    ASSERT_TRUE(engine_->SetJourneyState("cart", "live").ok());
    const json consent = {{"email", "u1@x.test"}, {"consent", {{"email", true}}}};
    ASSERT_NO_FATAL_FAILURE(Send(IdentifyEvent("u1", clock_.NowMs(), consent)));
    ASSERT_NO_FATAL_FAILURE(At("2026-11-01T09:00:00Z"));
    ASSERT_NO_FATAL_FAILURE(Send(IdentifyEvent("anon:a1", clock_.NowMs(), consent)));
    ASSERT_NO_FATAL_FAILURE(At("2026-11-01T10:00:00Z"));
    ASSERT_NO_FATAL_FAILURE(
        Send(TrackEvent("anon:a1", "Cart Abandoned", clock_.NowMs(), {{"cart_id", "c1"}})));
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    const auto& profiles = *ImplOf(*engine_).profiles;
    survivor_ = journeys::PartitionOf(profiles.ProfileOf("user:u1"), partitions_);
    exporter_ = journeys::PartitionOf(profiles.ProfileOf("anon:a1"), partitions_);
    a1_ = profiles.ProfileOf("anon:a1");
  }
  // The phone signs in: a1 merges into u1.
  void Merge() {
    ASSERT_NO_FATAL_FAILURE(At("2026-11-01T11:00:00Z"));
    Event link = IdentifyEvent("u1", clock_.NowMs());
    link.anonymous_id = "a1";
    ASSERT_NO_FATAL_FAILURE(Send(link));
  }
  // The order of c1 from the laptop, then the wait's timeout has long passed.
  void After() {
    ASSERT_NO_FATAL_FAILURE(At("2026-11-01T12:00:00Z"));
    ASSERT_NO_FATAL_FAILURE(
        Send(TrackEvent("u1", "Order Completed", clock_.NowMs(), {{"cart_id", "c1"}})));
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    ASSERT_NO_FATAL_FAILURE(At("2026-11-05T00:00:00Z"));
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  }
  // As scenario 47: the wait moved to u1 and ended with the order (thanks), no nudge.
  void ExpectMovedOnce() {
    auto j = engine_->Journey("cart");
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    EXPECT_EQ(j->totals.entered, 1u);
    EXPECT_EQ(j->totals.completed, 1u);
    EXPECT_EQ(j->totals.in_progress, 0u);
    auto events = engine_->ProfileEvents("user:u1", 0);
    ASSERT_TRUE(events.ok());
    std::vector<std::string> got;
    for (const Event& e : events->events) {
      if (system_events::IsReserved(e.event) && e.event != system_events::kMessageDelivered)
        got.push_back(e.event + (e.event == system_events::kMessageSent
                                     ? "@" + json::parse(e.properties).value("step", "")
                                     : ""));
    }
    EXPECT_EQ(got, (std::vector<std::string>{"Journey Entered", "Message Sent@thanks",
                                             "Journey Exited"}));
    EXPECT_FALSE(StoredState(a1_)) << "the merged-away profile's record is deleted";
  }
  bool StoredState(ProfileId p) {
    bool found = false;
    store::JourneyRecords records(&ImplOf(*engine_).store().db());
    store::JourneyRecords::Visitor v;
    v.profile_state = [&](ProfileId q, std::string_view) { found = found || q == p; };
    EXPECT_TRUE(records.Load(v).ok());
    return found;
  }
  // Waits (at most 30 s) until partition `k` has nothing queued.
  void WaitIdle(uint32_t k) {
    for (int i = 0; i < 3000; ++i) {
      const auto m = Journeys().metrics();
      if (m.partitions[k].queued == 0 && m.partitions[k].lag_events == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "partition " << k << " never caught up";
  }

  uint32_t partitions_ = 1;
  uint32_t queue_payloads_ = 100'000;
  int64_t ready_lag_ms_ = 30'000;
  std::string key_;
  int sent_ = 0;
  uint32_t survivor_ = 0, exporter_ = 0;
  ProfileId a1_;
};

// The smallest number of partitions that puts u1 (profile 1) and a1 (profile 2) apart.
constexpr uint32_t kApart = 4;
static_assert(journeys::PartitionOf(uint64_t{1}, kApart) !=
              journeys::PartitionOf(uint64_t{2}, kApart));

TEST_F(JourneyPartitionsTest, MergeAcrossPartitionsMovesTheWait) {
  ASSERT_NO_FATAL_FAILURE(OpenWith(kApart));
  ASSERT_NO_FATAL_FAILURE(Before());
  ASSERT_NE(survivor_, exporter_);
  ASSERT_NO_FATAL_FAILURE(Merge());
  ASSERT_NO_FATAL_FAILURE(After());
  ASSERT_NO_FATAL_FAILURE(ExpectMovedOnce());
}

TEST_F(JourneyPartitionsTest, StopBetweenTheTwoSidesOfAMergeHandsTheStateOverAtOpen) {
  ASSERT_NO_FATAL_FAILURE(OpenWith(kApart));
  ASSERT_NO_FATAL_FAILURE(Before());
  ASSERT_NE(survivor_, exporter_);
  // The survivor's partition handles nothing; the exporter's thread writes past the merge.
  Journeys().HoldPartitionForTesting(survivor_, true);
  ASSERT_NO_FATAL_FAILURE(Merge());
  for (int i = 0; i < 1000 && Journeys().metrics().partitions[survivor_].queued == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_NO_FATAL_FAILURE(WaitIdle(exporter_));
  const auto m = Journeys().metrics();
  EXPECT_GT(m.partitions[survivor_].queued, 0u) << "the survivor has not seen the merge";
  EXPECT_TRUE(StoredState(a1_)) << "the exporter leaves the record to the survivor";
  // Stop here: the exporter is durable past the merge, the survivor is not (what a kill -9 leaves).
  ASSERT_NO_FATAL_FAILURE(OpenWith(kApart));
  ASSERT_NO_FATAL_FAILURE(After());
  ASSERT_NO_FATAL_FAILURE(ExpectMovedOnce());
}

TEST_F(JourneyPartitionsTest, TheSurvivorWaitsForTheHandoffAndShowsItsLag) {
  ASSERT_NO_FATAL_FAILURE(OpenWith(kApart));
  ASSERT_NO_FATAL_FAILURE(Before());
  ASSERT_NE(survivor_, exporter_);
  Journeys().HoldPartitionForTesting(exporter_, true);
  ASSERT_NO_FATAL_FAILURE(Merge());
  // The survivor's thread reaches the merge and waits there: the merge stays queued, its cursor
  // stays before it, and /metrics shows the lag.
  // (The commit thread routes the merge after the ingest call returns: wait for it to arrive.)
  for (int i = 0; i < 1000 && Journeys().metrics().partitions[exporter_].queued == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto m = Journeys().metrics();
  EXPECT_GT(m.partitions[survivor_].queued, 0u);
  EXPECT_GT(m.partitions[survivor_].lag_events, 0u);
  EXPECT_GT(m.partitions[exporter_].lag_events, 0u);
  const std::string text = engine_->MetricsText();
  EXPECT_NE(text.find("signpost_journey_partition_lag_events{partition=\"" +
                      std::to_string(survivor_) + "\"}"),
            std::string::npos);
  Journeys().HoldPartitionForTesting(exporter_, false);
  ASSERT_NO_FATAL_FAILURE(WaitIdle(exporter_));
  ASSERT_NO_FATAL_FAILURE(WaitIdle(survivor_));
  ASSERT_NO_FATAL_FAILURE(After());
  ASSERT_NO_FATAL_FAILURE(ExpectMovedOnce());
}

TEST_F(JourneyPartitionsTest, ReopeningWithAnotherNumberOfPartitionsKeepsCountsAndWaits) {
  // Ten carts wait under one partition; the folder reopens with 3, then 2: the counters are the
  // same, and the waits time out (nudges) exactly once each.
  ASSERT_NO_FATAL_FAILURE(OpenWith(1));
  for (const char* d : kCartDefinitions) ASSERT_TRUE(engine_->Apply(d, "test").ok());
  ASSERT_TRUE(engine_->SetJourneyState("cart", "live").ok());
  for (int i = 0; i < 10; ++i) {
    const std::string who = "anon:p" + std::to_string(i);
    ASSERT_NO_FATAL_FAILURE(Send(IdentifyEvent(
        who, clock_.NowMs(), {{"email", "p@x.test"}, {"consent", {{"email", true}}}})));
    ASSERT_NO_FATAL_FAILURE(Send(
        TrackEvent(who, "Cart Abandoned", clock_.NowMs(), {{"cart_id", "c" + std::to_string(i)}})));
  }
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  auto before = engine_->Journey("cart");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->totals.in_progress, 10u);
  ASSERT_NO_FATAL_FAILURE(OpenWith(3));
  EXPECT_EQ(Journeys().partitions(), 3u);
  auto three = engine_->Journey("cart");
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(wire::ToJson(*three).dump(), wire::ToJson(*before).dump());
  // Some waits end with an order under 3 partitions, the rest time out under 2.
  for (int i = 0; i < 4; ++i) {
    ASSERT_NO_FATAL_FAILURE(
        Send(TrackEvent("anon:p" + std::to_string(i), "Order Completed", clock_.NowMs(),
                        {{"cart_id", "c" + std::to_string(i)}})));
  }
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  ASSERT_NO_FATAL_FAILURE(OpenWith(2));
  ASSERT_NO_FATAL_FAILURE(At("2026-11-05T00:00:00Z"));
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  auto after = engine_->Journey("cart");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->totals.entered, 10u);
  EXPECT_EQ(after->totals.completed, 10u);
  EXPECT_EQ(after->totals.in_progress, 0u);
  std::map<std::string, uint64_t> inflow;
  for (const auto& s : after->steps) inflow[s.id] = s.inflow;
  EXPECT_EQ(inflow["thanks"], 4u);
  EXPECT_EQ(inflow["nudge"], 6u);
  auto box = engine_->Outbox(100);
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(box->messages.size(), 10u) << "one message per cart, none twice";
}

TEST_F(JourneyPartitionsTest, APartitionFarBehindSpillsShowsItsLagAndCatchesUpInOrder) {
  // At most 5 queued events keep their payload; /readyz fails past 1 s of lag.
  queue_payloads_ = 5;
  ready_lag_ms_ = 1000;
  ASSERT_NO_FATAL_FAILURE(OpenWith(1));
  for (const char* d : kCartDefinitions) ASSERT_TRUE(engine_->Apply(d, "test").ok());
  ASSERT_TRUE(engine_->SetJourneyState("cart", "live").ok());
  Journeys().HoldPartitionForTesting(0, true);
  for (int i = 0; i < 23; ++i) {
    ASSERT_NO_FATAL_FAILURE(
        Send(TrackEvent("anon:q" + std::to_string(i), "Cart Abandoned", clock_.NowMs(),
                        {{"cart_id", "c" + std::to_string(i)}})));
  }
  // One order, for the first cart: it must come after that cart's entry (FIFO, spilled or not).
  ASSERT_NO_FATAL_FAILURE(
      Send(TrackEvent("anon:q0", "Order Completed", clock_.NowMs(), {{"cart_id", "c0"}})));
  auto m = Journeys().metrics();
  EXPECT_EQ(m.partitions[0].queued, 24u);
  EXPECT_EQ(m.partitions[0].spilled, 19u) << "all but the first 5 keep only their seq";
  EXPECT_TRUE(engine_->Ready().ok());
  clock_.Advance(1500);
  const Status ready = engine_->Ready();
  EXPECT_EQ(ready.code(), Code::kFailedPrecondition);
  EXPECT_NE(ready.message().find("journeys are behind: partition 0 has 24 inputs waiting"),
            std::string::npos)
      << ready.message();
  // /readyz names each check: the store is fine, the journeys are not.
  const std::vector<ReadinessCheck> checks = engine_->Readiness();
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_EQ(checks[0].name, "store_open");
  EXPECT_TRUE(checks[0].ok);
  EXPECT_EQ(checks[1].name, "durable_writes");
  EXPECT_TRUE(checks[1].ok);
  EXPECT_EQ(checks[2].name, "journeys_caught_up");
  EXPECT_FALSE(checks[2].ok);
  EXPECT_EQ(checks[2].detail, ready.message());
  const std::string text = engine_->MetricsText();
  EXPECT_NE(text.find("signpost_journey_partition_oldest_ms{partition=\"0\"} 1500"),
            std::string::npos);
  EXPECT_NE(text.find("signpost_journey_partition_spilled_total{partition=\"0\"} 19"),
            std::string::npos);
  // Catching up (rounds of at most 5, read back from the store): every cart entered once, in
  // order.
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  EXPECT_TRUE(engine_->Ready().ok());
  for (const ReadinessCheck& c : engine_->Readiness()) EXPECT_TRUE(c.ok) << c.name << c.detail;
  auto j = engine_->Journey("cart");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->totals.entered, 23u);
  EXPECT_EQ(j->totals.in_progress, 22u);
  std::map<std::string, uint64_t> inflow;
  for (const auto& s : j->steps) inflow[s.id] = s.inflow;
  EXPECT_EQ(inflow["thanks"], 1u);
  m = Journeys().metrics();
  EXPECT_EQ(m.partitions[0].queued, 0u);
  EXPECT_EQ(m.partitions[0].lag_events, 0u);
}

}  // namespace
}  // namespace signpost
