// EventService::RemoveEvents: events leave the store and the index together (funnels, profile
// reads, counts), also while commits run on other threads, and stay gone after a restart.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "engine/engine_impl.h"
#include "engine/event_service.h"
#include "engine/test_support.h"

namespace signpost {
namespace {

class EventRemovalTest : public EngineFixture<> {
 protected:
  engine::EventService& events() { return *ImplOf(*engine_).events; }
  uint64_t FunnelCount(std::string_view steps, size_t step) {
    FunnelQuery q;
    q.steps = std::string(steps);
    auto r = engine_->Funnel(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? wire::ToJson(*r)["steps"][step]["count"].get<uint64_t>() : 0;
  }
  std::vector<uint64_t> SeqsOf(std::string_view who) {
    auto list = engine_->ProfileEvents(who, 0);
    std::vector<uint64_t> out;
    if (!list.ok()) {  // not seen yet
      EXPECT_EQ(list.status().code(), Code::kNotFound) << list.status().ToString();
      return out;
    }
    for (const Event& e : list->events) out.push_back(e.seq);
    return out;
  }
};

TEST_F(EventRemovalTest, RemovedEventsLeaveTheStoreTheIndexAndTheFunnels) {
  const TimeMs t = clock_.NowMs();
  Ingest({Track("ann", "Signed Up", t), Track("ann", "Order Completed", t + 1000),
          Track("bob", "Signed Up", t), Track("bob", "Order Completed", t + 2000)});
  EXPECT_EQ(FunnelCount("Signed Up>Order Completed", 1), 2u);
  const auto bob = SeqsOf("bob");
  ASSERT_EQ(bob.size(), 2u);
  uint64_t removed = 0;
  ASSERT_TRUE(events().RemoveEvents({bob[1]}, {}, &removed).ok());
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(FunnelCount("Signed Up>Order Completed", 0), 2u);
  EXPECT_EQ(FunnelCount("Signed Up>Order Completed", 1), 1u);
  EXPECT_EQ(engine_->EventCount(), 3u);
  EXPECT_EQ(SeqsOf("bob"), std::vector<uint64_t>{bob[0]});
  ASSERT_TRUE(events().RemoveEvents({bob[0], bob[1]}, {}, &removed).ok());  // one new, one done
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(FunnelCount("Signed Up>Order Completed", 0), 1u);
  EXPECT_EQ(events().ReadIndex(
                [](const analytics::EventIndex& index, auto*) { return index.ProfileCount(); }),
            1u);

  Reopen();
  EXPECT_EQ(engine_->EventCount(), 2u);
  EXPECT_TRUE(SeqsOf("bob").empty());
  EXPECT_EQ(FunnelCount("Signed Up>Order Completed", 1), 1u);
}

TEST_F(EventRemovalTest, RemovalsInterleavedWithCommitsKeepStoreAndIndexEqual) {
  const TimeMs t = clock_.NowMs();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 60; ++i) {
      std::vector<Event> batch;
      for (int k = 0; k < 20; ++k) {
        batch.push_back(TrackEvent("u" + std::to_string(k), "Seen", t + i * 100 + k, {},
                                   "w" + std::to_string(i) + "-" + std::to_string(k)));
      }
      ASSERT_TRUE(engine_->IngestEvents(std::move(batch)).ok());
    }
    done = true;
  });
  // Remove whatever the store holds of u3, again and again, while the writer commits.
  while (!done) {
    const auto seqs = SeqsOf("u3");
    ASSERT_TRUE(events().RemoveEvents(seqs).ok());
  }
  writer.join();
  ASSERT_TRUE(events().RemoveEvents(SeqsOf("u3")).ok());
  EXPECT_TRUE(SeqsOf("u3").empty());
  const uint64_t in_index = events().ReadIndex(
      [](const analytics::EventIndex& index, auto*) { return index.EventCount(); });
  EXPECT_EQ(in_index, engine_->EventCount());
  EXPECT_EQ(engine_->EventCount(), 60u * 19);
}

}  // namespace
}  // namespace signpost
