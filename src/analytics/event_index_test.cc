#include "analytics/event_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;
using testing::VectorPropertySource;

std::vector<std::string> Names(const EventIndex& index, ProfileId p) {
  ViewScratch scratch;
  ProfileView v = index.View(static_cast<uint32_t>(index.SlotOf(p)), &scratch);
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size; ++i) out.push_back(index.Name(v.name[i]));
  return out;
}

TEST(EventIndex, OrdersByTimestampThenArrivalBeforeAndAfterSeal) {
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(3, 200, "C"));
  index.Add(ProfileId(1), TrackEvent(1, 100, "A"));
  index.Add(ProfileId(1), TrackEvent(4, 100, "B"));  // same time as A, arrived later
  index.Add(ProfileId(2), TrackEvent(2, 50, "X"));
  EXPECT_EQ(Names(index, ProfileId(1)), (std::vector<std::string>{"A", "B", "C"}));
  index.Seal();
  EXPECT_EQ(Names(index, ProfileId(1)), (std::vector<std::string>{"A", "B", "C"}));
  index.Add(ProfileId(1), TrackEvent(5, 150, "D"));  // delta on top of sealed rows
  EXPECT_EQ(Names(index, ProfileId(1)), (std::vector<std::string>{"A", "B", "D", "C"}));
  index.Seal();
  EXPECT_EQ(Names(index, ProfileId(1)), (std::vector<std::string>{"A", "B", "D", "C"}));
  EXPECT_EQ(index.EventCount(), 5u);
  EXPECT_EQ(index.ProfileCount(), 2u);
}

TEST(EventIndex, MergeMovesSealedAndDeltaEvents) {
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(1, 100, "A"));
  index.Add(ProfileId(2), TrackEvent(2, 150, "B"));
  index.Seal();
  index.Add(ProfileId(2), TrackEvent(3, 50, "Z"));
  ASSERT_TRUE(index.MergeProfiles(ProfileId(2), ProfileId(1)).ok());
  EXPECT_EQ(index.SlotOf(ProfileId(2)), -1);
  EXPECT_EQ(Names(index, ProfileId(1)), (std::vector<std::string>{"Z", "A", "B"}));
  EXPECT_EQ(index.ProfileCount(), 1u);
  index.Seal();
  EXPECT_EQ(Names(index, ProfileId(1)), (std::vector<std::string>{"Z", "A", "B"}));
  EXPECT_EQ(index.MergeProfiles(ProfileId(2), ProfileId(1)).code(), Code::kNotFound);
}

TEST(EventIndex, MergeChainsResolveTransitively) {
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(1, 10, "A"));
  index.Add(ProfileId(2), TrackEvent(2, 20, "B"));
  index.Add(ProfileId(3), TrackEvent(3, 30, "C"));
  ASSERT_TRUE(index.MergeProfiles(ProfileId(1), ProfileId(2)).ok());
  ASSERT_TRUE(index.MergeProfiles(ProfileId(2), ProfileId(3)).ok());
  EXPECT_EQ(Names(index, ProfileId(3)), (std::vector<std::string>{"A", "B", "C"}));
  index.Seal();
  EXPECT_EQ(Names(index, ProfileId(3)), (std::vector<std::string>{"A", "B", "C"}));
}

TEST(EventIndex, PropertyColumnsLoadOnceAndFollowWrites) {
  std::vector<Event> stored = {TrackEvent(1, 10, "A", R"({"plan":"pro","n":3})"),
                               TrackEvent(2, 20, "A", R"({"plan":"free"})")};
  VectorPropertySource source(&stored);
  EventIndex index;
  for (const Event& e : stored) index.Add(ProfileId(7), e);
  auto path = rules::ParsePropertyPath("properties.plan");
  ASSERT_TRUE(path.ok());
  auto col = index.Column(*path, &source);
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  ViewScratch scratch;
  ProfileView v = index.View(0, &scratch);
  EXPECT_EQ((*col)->Get(v.RefAt(0)).text, "pro");
  EXPECT_EQ((*col)->Get(v.RefAt(1)).text, "free");
  // Cached: no second scan.
  ASSERT_TRUE(index.Column(*path, &source).ok());
  EXPECT_EQ(source.scans(), 1);
  // A write after the column was built is visible through it, before and after Seal.
  index.Add(ProfileId(7), TrackEvent(3, 5, "A", R"({"plan":"team"})"));
  col = index.Column(*path, nullptr);
  ASSERT_TRUE(col.ok());
  v = index.View(0, &scratch);
  EXPECT_EQ((*col)->Get(v.RefAt(0)).text, "team");
  index.Seal();
  col = index.Column(*path, nullptr);
  v = index.View(0, &scratch);
  EXPECT_EQ((*col)->Get(v.RefAt(0)).text, "team");
  EXPECT_EQ((*col)->Get(v.RefAt(1)).text, "pro");
  EXPECT_EQ((*col)->Get(v.RefAt(2)).text, "free");
  // Missing without a source: a clear error.
  auto other = rules::ParsePropertyPath("properties.other");
  EXPECT_EQ(index.Column(*other, nullptr).status().code(), Code::kFailedPrecondition);
}

TEST(EventIndex, RemoveEventsFromSealedDeltaAndMergedRowsKeepsColumnsInStep) {
  std::vector<Event> stored = {
      TrackEvent(1, 10, "A", R"({"plan":"a"})"), TrackEvent(2, 20, "B", R"({"plan":"b"})"),
      TrackEvent(3, 30, "C", R"({"plan":"c"})"), TrackEvent(4, 40, "D", R"({"plan":"d"})")};
  VectorPropertySource source(&stored);
  EventIndex index;
  index.Add(ProfileId(1), stored[0]);
  index.Add(ProfileId(2), stored[1]);
  index.Add(ProfileId(3), stored[2]);
  index.Seal();
  auto path = rules::ParsePropertyPath("properties.plan");
  ASSERT_TRUE(path.ok());
  ASSERT_TRUE(index.Column(*path, &source).ok());
  index.Add(ProfileId(1), stored[3]);                                 // a delta row
  ASSERT_TRUE(index.MergeProfiles(ProfileId(3), ProfileId(1)).ok());  // moved sealed rows
  EXPECT_EQ(index.ProfileCount(), 2u);

  const std::vector<uint64_t> gone = {2, 3, 99};  // all of profile 2; a merged row; unknown
  EXPECT_EQ(index.RemoveEvents(gone), 2u);
  EXPECT_EQ(index.RemoveEvents(gone), 0u);  // idempotent
  EXPECT_EQ(index.EventCount(), 2u);
  EXPECT_EQ(index.ProfileCount(), 1u);
  ViewScratch scratch;
  EXPECT_EQ(index.View(static_cast<uint32_t>(index.SlotOf(ProfileId(2))), &scratch).size, 0u);
  EXPECT_EQ(Names(index, ProfileId(1)), (std::vector<std::string>{"A", "D"}));
  auto col = index.Column(*path, nullptr);
  ASSERT_TRUE(col.ok());
  ProfileView v = index.View(static_cast<uint32_t>(index.SlotOf(ProfileId(1))), &scratch);
  EXPECT_EQ((*col)->Get(v.RefAt(0)).text, "a");
  EXPECT_EQ((*col)->Get(v.RefAt(1)).text, "d");
  // Later writes still land in the right rows.
  index.Add(ProfileId(2), TrackEvent(5, 5, "E", R"({"plan":"e"})"));
  EXPECT_EQ(index.ProfileCount(), 2u);
  v = index.View(static_cast<uint32_t>(index.SlotOf(ProfileId(2))), &scratch);
  ASSERT_EQ(v.size, 1u);
  EXPECT_EQ((*col)->Get(v.RefAt(0)).text, "e");
}

// Removing the events of some profiles through the profiles (erasing people) leaves the same index
// as the scan over every row, also when some seqs are elsewhere (then it scans every row too).
TEST(EventIndex, RemoveEventsOfProfilesMatchesTheFullScan) {
  std::vector<Event> stored;
  std::vector<uint64_t> owner;  // profile of each stored event
  std::mt19937_64 rng(7);
  for (uint64_t seq = 1; seq <= 3000; ++seq) {
    owner.push_back(1 + rng() % 60);
    stored.push_back(TrackEvent(seq, static_cast<TimeMs>(rng() % 1000),
                                std::string(1, static_cast<char>('A' + rng() % 5)),
                                "{\"n\":" + std::to_string(seq) + "}"));
  }
  VectorPropertySource source(&stored);
  auto path = rules::ParsePropertyPath("properties.n");
  ASSERT_TRUE(path.ok());
  auto build = [&](EventIndex& index) {
    for (size_t i = 0; i < 2500; ++i) index.Add(ProfileId(owner[i]), stored[i]);
    index.Seal();
    ASSERT_TRUE(index.Column(*path, &source).ok());
    for (size_t i = 2500; i < stored.size(); ++i) index.Add(ProfileId(owner[i]), stored[i]);
  };
  auto same = [&](const EventIndex& a, const EventIndex& b) {
    ASSERT_EQ(a.EventCount(), b.EventCount());
    ASSERT_EQ(a.ProfileCount(), b.ProfileCount());
    auto ca = a.Column(*path, nullptr), cb = b.Column(*path, nullptr);
    ASSERT_TRUE(ca.ok() && cb.ok());
    ViewScratch sa, sb;
    for (uint64_t p = 1; p <= 60; ++p) {
      ProfileView va = a.View(static_cast<uint32_t>(a.SlotOf(ProfileId(p))), &sa);
      ProfileView vb = b.View(static_cast<uint32_t>(b.SlotOf(ProfileId(p))), &sb);
      ASSERT_EQ(va.size, vb.size) << p;
      for (size_t i = 0; i < va.size; ++i) {
        ASSERT_EQ(va.seq[i], vb.seq[i]);
        ASSERT_EQ(va.ts[i], vb.ts[i]);
        ASSERT_EQ(va.name[i], vb.name[i]);
        ASSERT_EQ((*ca)->Get(va.RefAt(i)).number, (*cb)->Get(vb.RefAt(i)).number);
        ASSERT_EQ((*ca)->Get(va.RefAt(i)).number, static_cast<double>(va.seq[i]));
      }
    }
  };
  EventIndex by_profiles, by_scan;
  build(by_profiles);
  build(by_scan);
  // Every event of profiles 3, 17 and 42.
  const std::vector<ProfileId> people = {ProfileId(3), ProfileId(17), ProfileId(42)};
  std::vector<uint64_t> gone;
  for (size_t i = 0; i < stored.size(); ++i) {
    if (owner[i] == 3 || owner[i] == 17 || owner[i] == 42) gone.push_back(stored[i].seq);
  }
  ASSERT_FALSE(gone.empty());
  EXPECT_EQ(by_profiles.RemoveEvents(gone, people), gone.size());
  EXPECT_EQ(by_scan.RemoveEvents(gone), gone.size());
  same(by_profiles, by_scan);
  EXPECT_EQ(by_profiles.RemoveEvents(gone, people), 0u);  // idempotent
  // Seqs of other profiles and unknown seqs: found by the scan over every row.
  std::vector<uint64_t> mixed;
  for (size_t i = 0; i < stored.size(); ++i) {
    if (owner[i] == 5 || (owner[i] == 6 && i % 2 == 0)) mixed.push_back(stored[i].seq);
  }
  mixed.push_back(99999);
  const size_t expected = mixed.size() - 1;
  EXPECT_EQ(by_profiles.RemoveEvents(mixed, std::vector<ProfileId>{ProfileId(5)}), expected);
  EXPECT_EQ(by_scan.RemoveEvents(mixed), expected);
  same(by_profiles, by_scan);
}

TEST(EventIndex, SeqsWhereVisitsEveryEventOnce) {
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(1, 10, "A"));
  index.Add(ProfileId(2), TrackEvent(2, 20, "B"));
  index.Seal();
  index.Add(ProfileId(2), TrackEvent(3, 5, "A"));
  ASSERT_TRUE(index.MergeProfiles(ProfileId(1), ProfileId(2)).ok());
  const uint32_t a = index.NameId("A");
  auto seqs = index.SeqsWhere([&](TimeMs, uint32_t name, uint8_t) { return name == a; });
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 3}));
  size_t visits = 0;
  index.SeqsWhere([&](TimeMs, uint32_t, uint8_t) { return ++visits, false; });
  EXPECT_EQ(visits, 3u);
}

TEST(EventIndex, NestedContextPathsAndTypes) {
  std::vector<Event> stored = {TrackEvent(1, 10, "A")};
  stored[0].context = R"({"page":{"url":"/x","n":2.5,"ok":true,"nil":null}})";
  VectorPropertySource source(&stored);
  EventIndex index;
  index.Add(ProfileId(1), stored[0]);
  index.Seal();
  auto get = [&](const char* p) {
    auto col = index.Column(*rules::ParsePropertyPath(p), &source);
    return (*col)->Get(0);
  };
  EXPECT_EQ(get("context.page.url").text, "/x");
  EXPECT_EQ(get("context.page.n").number, 2.5);
  EXPECT_EQ(get("context.page.ok").kind, rules::ValueKind::kBool);
  EXPECT_EQ(get("context.page.nil").kind, rules::ValueKind::kNull);
  EXPECT_EQ(get("context.page.none").kind, rules::ValueKind::kMissing);
  EXPECT_FALSE(rules::ParsePropertyPath("props.x").ok());
  EXPECT_FALSE(rules::ParsePropertyPath("properties.").ok());
}

// The core columns stay under 32 bytes per event (docs/CONTRACT.md §9): 1M events, 100k profiles.
TEST(EventIndex, UnderThirtyTwoBytesPerEvent) {
  EventIndex index;
  std::mt19937_64 rng(7);
  const char* names[] = {"Signed Up", "Email Verified", "Project Created", "Order Completed"};
  const size_t n = 1'000'000;
  index.Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    index.AddTrack(ProfileId(1 + rng() % 100'000), static_cast<TimeMs>(rng() % 1'000'000'000),
                   i + 1, names[rng() % 4]);
  }
  index.Seal();
  double per_event =
      static_cast<double>(index.MemoryBytes()) / static_cast<double>(index.EventCount());
  EXPECT_LT(per_event, 32.0);
  RecordProperty("bytes_per_event", std::to_string(per_event));
}

}  // namespace
}  // namespace signpost::analytics
