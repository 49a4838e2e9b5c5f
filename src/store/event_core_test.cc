// The core-field reader (event_core.h) against the full decoder: same fields for every event,
// every seq range, holes skipped, malformed records refused.
#include "store/event_core.h"

#include <gtest/gtest.h>

#include <random>
#include <span>
#include <vector>

#include "store/event_chunk.h"
#include "store/event_codec.h"
#include "store/store.h"
#include "store/test_util.h"

namespace signpost::store {
namespace {

using testing::TempDir;
using testing::Track;

TEST(EventCore, DecodesWhatTheFullDecoderDoes) {
  Event e = Track("m1", "u1", "a1", -12345, "Signed Up");
  e.type = EventType::kPage;
  e.sent_at = 7;
  e.original_timestamp = 9;
  e.properties = R"({"plan":"pro"})";
  std::string bytes;
  EncodeEvent(e, bytes);
  EventCore core;
  ASSERT_TRUE(DecodeEventCore(bytes, core));
  EXPECT_EQ(core.timestamp, -12345);
  EXPECT_EQ(core.type, EventType::kPage);
  EXPECT_EQ(core.user_id, "u1");
  EXPECT_EQ(core.anonymous_id, "a1");
  EXPECT_EQ(core.event, "Signed Up");
  for (size_t cut = 0; cut < 14; ++cut) {
    EXPECT_FALSE(DecodeEventCore(std::string_view(bytes).substr(0, cut), core)) << cut;
  }
  std::string bad = bytes;
  bad[0] = 9;  // unknown codec version
  EXPECT_FALSE(DecodeEventCore(bad, core));
}

TEST(EventCore, ScansRangesInSeqOrderSkippingHoles) {
  TempDir dir;
  auto opened = Store::Open({dir.path(), false, 1 << 18});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  std::mt19937_64 rng(7);
  // Appends of different sizes make chunks of different sizes (and a chunk never spans appends).
  uint64_t n = 0;
  for (int append = 0; append < 12; ++append) {
    std::vector<Event> events;
    const size_t size = 1 + rng() % 600;
    for (size_t i = 0; i < size; ++i, ++n) {
      events.push_back(Track("m" + std::to_string(n), n % 3 == 0 ? "" : "u" + std::to_string(n % 7),
                             "a" + std::to_string(n % 5), static_cast<TimeMs>(rng() % 100000),
                             "E" + std::to_string(n % 4)));
    }
    ASSERT_TRUE(store.Append(events).ok());
  }
  std::vector<uint64_t> erase = {1, 2, 300, 301, n};
  ASSERT_TRUE(store.EraseEvents(erase).ok());
  std::vector<Event> all;
  ASSERT_TRUE(store
                  .ScanEvents(0,
                              [&](const Event& e) {
                                all.push_back(e);
                                return true;
                              })
                  .ok());
  ASSERT_EQ(all.size(), n - erase.size());
  for (int round = 0; round < 30; ++round) {
    uint64_t first = 1 + rng() % (n + 2), last = first + rng() % 700;
    if (round == 0) first = 1, last = n;
    std::vector<const Event*> want;
    for (const Event& e : all) {
      if (e.seq >= first && e.seq <= last) want.push_back(&e);
    }
    size_t i = 0;
    Status st = ScanEventCores(store, first, last, [&](const EventCore& c) {
      EXPECT_LT(i, want.size());
      if (i >= want.size()) return false;
      const Event& e = *want[i++];
      EXPECT_EQ(c.seq, e.seq);
      EXPECT_EQ(c.timestamp, e.timestamp);
      EXPECT_EQ(c.type, e.type);
      EXPECT_EQ(c.user_id, e.user_id);
      EXPECT_EQ(c.anonymous_id, e.anonymous_id);
      EXPECT_EQ(c.event, e.event);
      return true;
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(i, want.size()) << first << ".." << last;
    // A chunk at a time: the same events, in batches of one stored chunk, none empty.
    std::vector<uint64_t> seqs;
    st = ScanEventCoreChunks(store, first, last, [&](std::span<const EventCore> cores) {
      EXPECT_FALSE(cores.empty());
      EXPECT_LE(cores.size(), kChunkEvents);
      for (const EventCore& c : cores) seqs.push_back(c.seq);
      return true;
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_EQ(seqs.size(), want.size()) << first << ".." << last;
    for (size_t k = 0; k < seqs.size(); ++k) EXPECT_EQ(seqs[k], want[k]->seq);
  }
  // Stopping early.
  int seen = 0;
  ASSERT_TRUE(ScanEventCores(store, 1, n, [&](const EventCore&) { return ++seen < 3; }).ok());
  EXPECT_EQ(seen, 3);
}

}  // namespace
}  // namespace signpost::store
