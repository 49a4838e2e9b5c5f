// The index rebuilt from the store at open (index_rebuild.h) is the index the event-by-event path
// builds: every event under the current profile of its primary identity (merges included), in
// (timestamp, seq) order, holes skipped, on 1, 2 and 3 threads.
#include "engine/index_rebuild.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "store/test_util.h"

namespace signpost::engine {
namespace {

// Appends random identify and track events (profiles merge now and then), each append's events
// also handed to `live` as the event service does (its merges, then each event under the profile
// the append gave it), then erases a few. Returns the number of events appended.
uint64_t FillStore(store::Store& st, identity::ProfileStore& profiles, analytics::EventIndex& live,
                   uint64_t seed) {
  std::mt19937_64 rng(seed);
  uint64_t n = 0, merges_applied = 0;
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
    auto appended = profiles.Append(events);
    EXPECT_TRUE(appended.ok());
    if (!appended.ok()) return n;
    // EventService::UpdateIndex.
    for (const identity::MergeRecord& merge : profiles.MergesAfter(merges_applied)) {
      Status s = live.MergeProfiles(merge.from, merge.to);
      EXPECT_TRUE(s.ok() || s.code() == Code::kNotFound) << s.ToString();
      merges_applied = merge.ordinal;
    }
    size_t next = 0;
    for (const Event& e : events) {
      if (e.seq != 0) live.Add(appended->profiles.at(next++), e);
    }
  }
  const std::vector<uint64_t> erased = {3, 4, 500};
  EXPECT_TRUE(st.EraseEvents(erased).ok());
  live.RemoveEvents(erased);
  live.Seal();
  return n;
}

TEST(IndexRebuild, SameIndexAsAddingEveryStoredEvent) {
  store::testing::TempDir dir;
  auto st = store::Store::Open({dir.path(), false, 1 << 18});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  auto profiles = identity::ProfileStore::Open(**st);
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  analytics::EventIndex live;
  FillStore(**st, **profiles, live, 3);
  ASSERT_FALSE(::testing::Test::HasFailure());

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
    // Byte for byte: the name dictionary and the sealed columns.
    ASSERT_EQ(got.NameCount(), want.NameCount());
    for (uint32_t i = 0; i < want.NameCount(); ++i) ASSERT_EQ(got.Name(i), want.Name(i));
    ASSERT_FALSE(got.HasDelta());
    ASSERT_EQ(got.SealedSlots(), want.SealedSlots());
    const size_t rows = want.EventCount();
    EXPECT_EQ(0, std::memcmp(got.SealedOffsets(), want.SealedOffsets(),
                             (want.SealedSlots() + 1) * sizeof(uint64_t)));
    EXPECT_EQ(0,
              std::memcmp(got.SealedTimestamps(), want.SealedTimestamps(), rows * sizeof(TimeMs)));
    EXPECT_EQ(0, std::memcmp(got.SealedNames(), want.SealedNames(), rows * sizeof(uint32_t)));
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

// The index rebuilt at open holds what the index built live (event by event as appends commit,
// merges followed) held before the restart: per profile, the same events in the same order.
TEST(IndexRebuild, SameEventsPerProfileAsTheLiveIndex) {
  store::testing::TempDir dir;
  auto st = store::Store::Open({dir.path(), false, 1 << 18});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  auto profiles = identity::ProfileStore::Open(**st);
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  analytics::EventIndex live;
  FillStore(**st, **profiles, live, 11);
  ASSERT_FALSE(::testing::Test::HasFailure());
  ASSERT_GT((*profiles)->merge_count(), 0u);  // the live index followed merges

  for (int threads : {1, 2}) {
    analytics::EventIndex got;
    ASSERT_TRUE(RebuildIndex(**st, **profiles, got, threads).ok());
    ASSERT_EQ(got.EventCount(), live.EventCount());
    ASSERT_EQ(got.ProfileCount(), live.ProfileCount());
    analytics::ViewScratch a, b;
    for (uint32_t s = 0; s < got.SlotCount(); ++s) {
      const ProfileId profile = got.SlotProfile(s);
      const int64_t ls = live.SlotOf(profile);
      ASSERT_GE(ls, 0) << profile.value();
      analytics::ProfileView g = got.View(s, &a), w = live.View(static_cast<uint32_t>(ls), &b);
      ASSERT_EQ(g.size, w.size) << profile.value();
      for (size_t i = 0; i < w.size; ++i) {
        EXPECT_EQ(g.ts[i], w.ts[i]);
        EXPECT_EQ(g.seq[i], w.seq[i]);
        EXPECT_EQ(got.Name(g.name[i]), live.Name(w.name[i]));
        EXPECT_EQ(g.type[i], w.type[i]);
      }
    }
  }
}

}  // namespace
}  // namespace signpost::engine
