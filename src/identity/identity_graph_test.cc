// IdentityGraph on its own: what a failed write must undo.
#include "identity/identity_graph.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"
#include "store/test_util.h"

namespace signpost::identity {
namespace {

using store::testing::Identify;
using store::testing::TempDir;
using store::testing::Track;

// Apply() changes the graph before the batch is written; when the write fails, ProfileStore calls
// Reload(), which must bring back exactly what is on disk.
TEST(IdentityGraph, ReloadDropsChangesWhoseBatchWasNeverWritten) {
  TempDir tmp;
  auto st = store::Store::Open({tmp.path(), true});
  ASSERT_TRUE(st.ok());
  store::Db& db = (*st)->db();
  auto graph = IdentityGraph::Load(db);
  ASSERT_TRUE(graph.ok());
  IdentityGraph& g = **graph;

  std::vector<Event> first = {Track("t1", "u1", "", 1), Track("t2", "", "a1", 2)};
  first[0].seq = 1;
  first[1].seq = 2;
  std::vector<std::string> refused;
  store::Batch written = db.NewBatch();
  g.Apply(first, written, refused);
  ASSERT_TRUE(db.Write(written).ok());
  const ProfileId u1 = g.ProfileOf("user:u1"), a1 = g.ProfileOf("anon:a1");
  ASSERT_NE(u1, a1);

  std::vector<Event> lost = {Identify("i1", "u1", "a1", 3), Track("t3", "u2", "", 4)};
  lost[0].seq = 3;
  lost[1].seq = 4;
  store::Batch dropped = db.NewBatch();
  g.Apply(lost, dropped, refused);
  EXPECT_EQ(g.ProfileOf("anon:a1"), u1);  // merged in memory
  EXPECT_EQ(g.merge_count(), 1u);
  EXPECT_NE(g.ProfileOf("user:u2").value(), 0u);

  ASSERT_TRUE(g.Reload(db).ok());  // the batch was never written
  EXPECT_EQ(g.ProfileOf("user:u1"), u1);
  EXPECT_EQ(g.ProfileOf("anon:a1"), a1);
  EXPECT_EQ(g.merge_count(), 0u);
  EXPECT_EQ(g.ProfileOf("user:u2").value(), 0u);
  EXPECT_EQ(g.profile_count(), 2u);

  // The profile counter was rolled back too: the next new profile takes the next unused id.
  std::vector<Event> next = {Track("t4", "u3", "", 5)};
  next[0].seq = 3;
  store::Batch b = db.NewBatch();
  g.Apply(next, b, refused);
  ASSERT_TRUE(db.Write(b).ok());
  EXPECT_EQ(g.ProfileOf("user:u3").value(), 3u);
}

// The profiles Apply hands out (to the analytics index, instead of resolving each event again) are
// what ProfileOf answers after the call, also for events whose profile was merged later in the same
// call; duplicates (seq 0) get none.
TEST(IdentityGraph, ApplyGivesEachAcceptedEventItsProfileAfterTheCallsMerges) {
  TempDir tmp;
  auto st = store::Store::Open({tmp.path(), true});
  ASSERT_TRUE(st.ok());
  store::Db& db = (*st)->db();
  auto graph = IdentityGraph::Load(db);
  ASSERT_TRUE(graph.ok());
  IdentityGraph& g = **graph;

  // a1's and a3's profiles are the oldest; u2's profile is new and, on a tie, goes into a3's.
  std::vector<Event> events = {
      Track("t0", "", "a3", 0),      Track("t1", "", "a1", 1),      Track("t2", "", "a2", 2),
      Track("dup", "", "a9", 3),     Identify("i1", "u1", "a1", 4), Track("t3", "u1", "", 5),
      Identify("i2", "u1", "a2", 6), Track("t4", "", "a2", 7),      Track("t5", "u2", "", 8),
      Identify("i3", "u2", "a3", 9), Track("t6", "", "a3", 10)};
  uint64_t seq = 0;
  for (auto& e : events) e.seq = e.message_id == "dup" ? 0 : ++seq;
  std::vector<std::string> refused;
  std::vector<ProfileId> profiles;
  store::Batch b = db.NewBatch();
  g.Apply(events, b, refused, &profiles);
  ASSERT_GE(g.merge_count(), 2u);
  ASSERT_EQ(profiles.size(), events.size() - 1);
  size_t next = 0;
  for (const Event& e : events) {
    if (e.seq == 0) continue;
    SCOPED_TRACE(e.message_id);
    EXPECT_EQ(profiles[next++], g.ProfileOf(e.PrimaryIdentity()));
  }
  EXPECT_EQ(profiles[2], g.ProfileOf("user:u1"));  // a2's event, before a2 joined u1's profile
  EXPECT_EQ(profiles[7], g.ProfileOf("anon:a3"));  // u2's event, before u2's profile went into a3's
}

// ForEachIdentity's parts together visit every identity once, with what ProfileOf answers.
TEST(IdentityGraph, ForEachIdentityPartsVisitEveryIdentityOnce) {
  TempDir tmp;
  auto st = store::Store::Open({tmp.path(), true});
  ASSERT_TRUE(st.ok());
  store::Db& db = (*st)->db();
  auto graph = IdentityGraph::Load(db);
  ASSERT_TRUE(graph.ok());
  IdentityGraph& g = **graph;
  std::vector<Event> events;
  for (int i = 0; i < 200; ++i) {
    events.push_back(i % 3 == 0 ? Identify("m" + std::to_string(i), "u" + std::to_string(i % 50),
                                           "a" + std::to_string(i), i)
                                : Track("m" + std::to_string(i), "", "a" + std::to_string(i), i));
    events.back().seq = static_cast<uint64_t>(i + 1);
  }
  std::vector<std::string> refused;
  store::Batch batch = db.NewBatch();
  g.Apply(events, batch, refused);
  for (size_t parts : {1, 2, 3, 7}) {
    std::map<std::string, ProfileId> seen;
    for (size_t part = 0; part < parts; ++part) {
      g.ForEachIdentity(part, parts, [&](std::string_view identity, ProfileId profile) {
        EXPECT_TRUE(seen.emplace(std::string(identity), profile).second) << identity;
      });
    }
    EXPECT_EQ(seen.size(), g.identity_count());
    for (const auto& [identity, profile] : seen) EXPECT_EQ(profile, g.ProfileOf(identity));
  }
}

}  // namespace
}  // namespace signpost::identity
