// The index rebuilt from the store at open (index_rebuild.h) is the index the event-by-event path
// builds: every event under the current profile of its primary identity (merges included), in
// (timestamp, seq) order, holes skipped, on 1, 2 and 3 threads.
#include "engine/index_rebuild.h"

#include <gtest/gtest.h>

#include <random>

#include "store/test_util.h"

namespace signpost::engine {
namespace {

TEST(IndexRebuild, SameIndexAsAddingEveryStoredEvent) {
  store::testing::TempDir dir;
  auto st = store::Store::Open({dir.path(), false, 1 << 18});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  auto profiles = identity::ProfileStore::Open(**st);
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  std::mt19937_64 rng(3);
  uint64_t n = 0;
  for (int append = 0; append < 20; ++append) {
    std::vector<Event> events;
    const size_t size = 1 + rng() % 900;
    for (size_t i = 0; i < size; ++i, ++n) {
      // Some identities longer than the rebuild's table keeps in an entry (13 bytes).
      const uint64_t a = rng() % 300;
      const std::string anon = (a % 3 == 0 ? "anonymous-visitor-" : "a") + std::to_string(a);
      const std::string user = rng() % 2 ? "u" + std::to_string(rng() % 200) : "";
      // Identify calls link anonymous ids to users (merging profiles now and then).
      if (rng() % 10 == 0 && !user.empty()) {
        events.push_back(store::testing::Identify("m" + std::to_string(n), user, anon,
                                                  static_cast<TimeMs>(rng() % 100000)));
      } else {
        events.push_back(store::testing::Track("m" + std::to_string(n), user, anon,
                                               static_cast<TimeMs>(rng() % 100000),
                                               "E" + std::to_string(rng() % 5)));
      }
    }
    ASSERT_TRUE((*profiles)->Append(events).ok());
  }
  ASSERT_TRUE((*st)->EraseEvents(std::vector<uint64_t>{3, 4, 500}).ok());

  analytics::EventIndex want;
  ASSERT_TRUE((*st)
                  ->ScanEvents(0,
                               [&](const Event& e) {
                                 want.Add((*profiles)->ProfileOf(e.PrimaryIdentity()), e);
                                 return true;
                               })
                  .ok());
  want.Seal();
  for (int threads : {1, 2, 3}) {
    analytics::EventIndex got;
    ASSERT_TRUE(RebuildIndex(**st, **profiles, got, threads).ok());
    ASSERT_EQ(got.EventCount(), want.EventCount());
    ASSERT_EQ(got.SlotCount(), want.SlotCount());
    analytics::ViewScratch a, b;
    for (uint32_t s = 0; s < want.SlotCount(); ++s) {
      ASSERT_EQ(got.SlotProfile(s), want.SlotProfile(s));
      analytics::ProfileView g = got.View(s, &a), w = want.View(s, &b);
      ASSERT_EQ(g.size, w.size);
      for (size_t i = 0; i < w.size; ++i) {
        EXPECT_EQ(g.ts[i], w.ts[i]);
        EXPECT_EQ(g.seq[i], w.seq[i]);
        EXPECT_EQ(got.Name(g.name[i]), want.Name(w.name[i]));
        EXPECT_EQ(g.type[i], w.type[i]);
      }
    }
  }
}

}  // namespace
}  // namespace signpost::engine
