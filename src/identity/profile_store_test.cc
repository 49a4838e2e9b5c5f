// The identity rules of docs/CONTRACT.md §1, through the engine-facing ProfileStore.
#include "identity/profile_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "identity/test_support.h"
#include "store/test_util.h"

namespace signpost::identity {
namespace {

using store::testing::Alias;
using store::testing::Identify;
using store::testing::TempDir;
using store::testing::Track;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ProfileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    opened_.reset();  // the ProfileStore, then the store
    auto opened = testing::OpenProfiles::Open({tmp_.path(), true});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    opened_.emplace(std::move(opened).value());
    ps_ = opened_->profiles.get();
  }

  store::AppendResult Append(std::vector<Event> events) {
    auto r = ps_->Append(events);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : store::AppendResult{};
  }

  ProfileView Profile(std::string_view identity) {
    auto view = ps_->GetProfile(identity);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? *view : ProfileView{};
  }

  std::vector<std::string> EventIds(std::string_view identity, size_t limit = 0) {
    auto events = ps_->ProfileEvents(identity, limit);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    std::vector<std::string> ids;
    if (events.ok()) {
      for (const auto& e : *events) ids.push_back(e.message_id);
    }
    return ids;
  }

  TempDir tmp_;
  std::optional<testing::OpenProfiles> opened_;
  ProfileStore* ps_ = nullptr;
};

TEST_F(ProfileStoreTest, EveryEventIdentityGetsAProfile) {
  Append({Track("m1", "", "a1", 10), Track("m2", "u1", "", 20)});
  const ProfileId anon = ps_->ProfileOf("anon:a1");
  const ProfileId user = ps_->ProfileOf("user:u1");
  EXPECT_NE(anon.value(), 0u);
  EXPECT_NE(user.value(), 0u);
  EXPECT_NE(anon, user);  // a track with one id links nothing
  EXPECT_EQ(ps_->ProfileOf("user:nobody").value(), 0u);
  EXPECT_EQ(ps_->GetProfile("nobody").status().code(), Code::kNotFound);
  EXPECT_EQ(ps_->profile_count(), 2u);
}

TEST_F(ProfileStoreTest, AnonymousThenIdentifiedIsOneProfileRetroactively) {
  Append({Track("m1", "", "a1", 10, "Viewed"), Track("m2", "", "a1", 20, "Added")});
  const ProfileId before = ps_->ProfileOf("anon:a1");
  Append({Identify("m3", "u1", "a1", 30), Track("m4", "u1", "", 40, "Bought")});
  EXPECT_EQ(ps_->ProfileOf("user:u1"), before);  // the new userId joined the known profile
  EXPECT_EQ(ps_->ProfileOf("anon:a1"), before);
  EXPECT_EQ(ps_->merge_count(), 0u);  // nothing to merge: u1 was new
  ProfileView view = Profile("u1");
  EXPECT_THAT(view.identities, ElementsAre("anon:a1", "user:u1"));
  EXPECT_EQ(view.event_count, 4u);
  EXPECT_EQ(view.first_seen, 10);
  EXPECT_EQ(view.last_seen, 40);
  EXPECT_THAT(EventIds("a1"), ElementsAre("m1", "m2", "m3", "m4"));
  EXPECT_THAT(EventIds("user:u1", 2), ElementsAre("m3", "m4"));
}

TEST_F(ProfileStoreTest, RetroactiveEventsAfterAMergeOrderedByTimestampThenSeq) {
  // The user's own events and an anonymous device's events, arriving out of time order.
  Append({Track("u-late", "u1", "", 500), Track("u-early", "u1", "", 100)});
  Append({Track("a-mid", "", "phone", 300), Track("a-tie", "", "phone", 100)});
  EXPECT_NE(ps_->ProfileOf("user:u1"), ps_->ProfileOf("anon:phone"));
  Append({Identify("link", "u1", "phone", 600)});
  EXPECT_EQ(ps_->ProfileOf("user:u1"), ps_->ProfileOf("anon:phone"));
  // (timestamp, seq): u-early (100, seq 2) before a-tie (100, seq 4).
  EXPECT_THAT(EventIds("phone"), ElementsAre("u-early", "a-tie", "a-mid", "u-late", "link"));
}

TEST_F(ProfileStoreTest, MergeOfTwoProfilesWithEventsFoldsSmallerIntoLarger) {
  Append({Identify("i1", "u1", "laptop", 10), Track("t1", "u1", "", 20)});
  Append({Track("t2", "", "phone", 30), Track("t3", "", "phone", 40)});
  const ProfileId big = ps_->ProfileOf("user:u1");       // 2 identities
  const ProfileId small = ps_->ProfileOf("anon:phone");  // 1 identity
  ASSERT_NE(big, small);
  Append({Identify("i2", "u1", "phone", 50)});
  EXPECT_EQ(ps_->ProfileOf("anon:phone"), big);
  auto merges = ps_->MergesAfter(0);
  ASSERT_EQ(merges.size(), 1u);
  EXPECT_EQ(merges[0].ordinal, 1u);
  EXPECT_EQ(merges[0].from, small);
  EXPECT_EQ(merges[0].to, big);
  EXPECT_EQ(merges[0].at, 50);
  EXPECT_TRUE(ps_->MergesAfter(1).empty());
  ProfileView view = Profile("anon:phone");
  EXPECT_EQ(view.id, big);
  EXPECT_THAT(view.identities, ElementsAre("anon:laptop", "anon:phone", "user:u1"));
  EXPECT_EQ(ps_->IdentitiesOf(big), view.identities);
  EXPECT_TRUE(ps_->IdentitiesOf(small).empty());  // the merged-away profile is gone
  EXPECT_EQ(view.event_count, 5u);
  EXPECT_THAT(EventIds("laptop"), ElementsAre("i1", "t1", "t2", "t3", "i2"));

  Reopen();  // the merged graph and the merge log are durable
  EXPECT_EQ(ps_->ProfileOf("anon:phone"), big);
  EXPECT_EQ(ps_->MergesAfter(0).size(), 1u);
  EXPECT_EQ(Profile("phone").event_count, 5u);
}

TEST_F(ProfileStoreTest, OnATieTheNewerProfileMergesIntoTheOlder) {
  Append({Track("t1", "u1", "", 1)});
  Append({Track("t2", "", "a1", 2)});
  const ProfileId older = ps_->ProfileOf("user:u1");
  const ProfileId newer = ps_->ProfileOf("anon:a1");
  ASSERT_LT(older.value(), newer.value());
  Append({Identify("i", "u1", "a1", 3)});
  EXPECT_EQ(ps_->ProfileOf("anon:a1"), older);
  ASSERT_EQ(ps_->MergesAfter(0).size(), 1u);
  EXPECT_EQ(ps_->MergesAfter(0)[0].from, newer);
}

TEST_F(ProfileStoreTest, AliasChainsLinkTransitively) {
  // anon a1 -> user u1 (alias), then u1 identifies on another device a2, then a3 is aliased in.
  Append({Track("t1", "", "a1", 1), Alias("al1", "a1", "u1", 2)});
  EXPECT_EQ(ps_->ProfileOf("anon:a1"), ps_->ProfileOf("user:u1"));
  Append({Track("t2", "", "a2", 3), Identify("i1", "u1", "a2", 4)});
  Append({Alias("al2", "a3", "u1", 5), Track("t3", "", "a3", 6)});
  const ProfileId p = ps_->ProfileOf("user:u1");
  for (auto id : {"anon:a1", "anon:a2", "anon:a3"}) EXPECT_EQ(ps_->ProfileOf(id), p) << id;
  EXPECT_THAT(Profile("a3").identities, ElementsAre("anon:a1", "anon:a2", "anon:a3", "user:u1"));
  EXPECT_THAT(EventIds("a1"), ElementsAre("t1", "al1", "t2", "i1", "al2", "t3"));
}

TEST_F(ProfileStoreTest, AliasOfAnUnknownPreviousIdTreatsItAsAnonymous) {
  Append({Alias("al", "legacy-42", "u1", 1)});
  EXPECT_EQ(ps_->ProfileOf("anon:legacy-42"), ps_->ProfileOf("user:u1"));
  EXPECT_EQ(ps_->ProfileOf("user:legacy-42").value(), 0u);
}

TEST_F(ProfileStoreTest, RefusedUserMergeStaysRefusedAndVisible) {
  Append({Identify("i1", "alice", "shared-tablet", 10), Track("t1", "alice", "", 11)});
  auto r = Append({Identify("i2", "bob", "shared-tablet", 20), Track("t2", "bob", "", 21)});
  ASSERT_EQ(r.refused_merges.size(), 1u);
  EXPECT_THAT(r.refused_merges[0], HasSubstr("alice"));
  EXPECT_THAT(r.refused_merges[0], HasSubstr("bob"));
  EXPECT_EQ(r.accepted, 2u);  // the events are still stored
  const ProfileId alice = ps_->ProfileOf("user:alice");
  const ProfileId bob = ps_->ProfileOf("user:bob");
  EXPECT_NE(alice, bob);
  EXPECT_EQ(ps_->ProfileOf("anon:shared-tablet"), alice);  // nothing merged
  EXPECT_EQ(ps_->merge_count(), 0u);
  EXPECT_EQ(ps_->refused_merge_count(), 1u);

  ProfileView a = Profile("alice");
  ProfileView b = Profile("bob");
  ASSERT_EQ(a.refused_merges.size(), 1u);  // shown on both profiles
  ASSERT_EQ(b.refused_merges.size(), 1u);
  EXPECT_EQ(a.refused_merges[0].message_id, "i2");
  EXPECT_EQ(b.refused_merges[0].user, "bob");
  EXPECT_EQ(b.refused_merges[0].other_user, "alice");
  EXPECT_THAT(b.identities, ElementsAre("user:bob"));
  EXPECT_THAT(EventIds("bob"), ElementsAre("i2", "t2"));

  // An alias between the two userIds is a user->user link: refused too.
  auto r2 = Append({Alias("al", "alice", "bob", 30)});
  EXPECT_EQ(r2.refused_merges.size(), 1u);
  EXPECT_NE(ps_->ProfileOf("user:alice"), ps_->ProfileOf("user:bob"));

  Reopen();  // stays refused and visible after restart
  EXPECT_EQ(ps_->refused_merge_count(), 2u);
  EXPECT_EQ(ps_->RefusedMergesAfter(1).size(), 1u);
  EXPECT_EQ(Profile("bob").refused_merges.size(), 2u);
  auto r3 = Append({Identify("i3", "bob", "shared-tablet", 40)});  // asking again changes nothing
  EXPECT_EQ(r3.refused_merges.size(), 1u);
  EXPECT_NE(ps_->ProfileOf("user:alice"), ps_->ProfileOf("user:bob"));
  EXPECT_EQ(ps_->refused_merge_count(), 3u);
}

TEST_F(ProfileStoreTest, RefusalCoversTransitiveUserMerges) {
  // Two anonymous devices, each identified as a different user; linking the devices' profiles
  // through a third anonymous id must not join alice and bob.
  Append({Identify("i1", "alice", "d1", 1), Identify("i2", "bob", "d2", 2)});
  Append({Alias("al", "d1", "bob", 3)});  // d1 is alice's: refused
  EXPECT_NE(ps_->ProfileOf("user:alice"), ps_->ProfileOf("user:bob"));
  EXPECT_EQ(ps_->refused_merge_count(), 1u);
}

TEST_F(ProfileStoreTest, DuplicateIdentifyIsNotReapplied) {
  Append({Identify("i1", "u1", "a1", 1, R"({"plan":"free"})")});
  auto r = Append({Identify("i1", "u1", "a1", 1, R"({"plan":"free"})")});
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(Profile("u1").trait_history.size(), 1u);
}

TEST_F(ProfileStoreTest, TraitHistoryOrderCurrentValueAndConsent) {
  Append(
      {Identify("i1", "u1", "", 2000, R"({"plan":"pro","consent":{"email":true,"sms":false}})")});
  // Arrives later but happened earlier: history keeps it, current value does not change.
  Append({Identify("i2", "u1", "", 1000, R"({"plan":"free","name":"Ann"})")});
  // Same timestamp as i1, later arrival: wins the tie.
  Append({Identify("i3", "u1", "", 2000, R"({"consent":{"sms":true}})")});
  ProfileView view = Profile("u1");
  ASSERT_EQ(view.trait_history.size(), 6u);
  EXPECT_EQ(view.trait_history[0].name, "name");
  EXPECT_EQ(view.trait_history[0].timestamp, 1000);
  EXPECT_EQ(view.trait_history[1].name, "plan");
  EXPECT_EQ(view.trait_history[1].value, "\"free\"");
  EXPECT_EQ(view.trait_history[2].name, "consent.email");
  EXPECT_EQ(view.trait_history[4].name, "plan");
  EXPECT_EQ(view.trait_history[4].value, "\"pro\"");
  EXPECT_EQ(view.trait_history[4].seq, 1u);
  EXPECT_EQ(view.trait_history[5].name, "consent.sms");
  EXPECT_EQ(view.trait_history[5].value, "true");
  EXPECT_EQ(view.trait_history[5].seq, 3u);
  EXPECT_EQ(view.traits.at("plan"), "\"pro\"");
  EXPECT_EQ(view.traits.at("name"), "\"Ann\"");
  EXPECT_EQ(view.traits.at("consent.sms"), "true");
  EXPECT_EQ(view.consent.email, true);
  EXPECT_EQ(view.consent.sms, true);
  EXPECT_FALSE(view.consent.push.has_value());
}

TEST_F(ProfileStoreTest, TraitsOfMergedIdentitiesCombine) {
  Append({Identify("i1", "", "a1", 10, R"({"consent":{"push":"yes"},"color":"red"})")});
  Append({Identify("i2", "u1", "", 20, R"({"color":"blue"})")});
  Append({Identify("i3", "u1", "a1", 30)});
  ProfileView view = Profile("a1");
  EXPECT_EQ(view.traits.at("color"), "\"blue\"");
  EXPECT_FALSE(view.consent.push.has_value());  // "yes" is not a boolean: consent stays unset
  EXPECT_EQ(view.trait_history.size(), 3u);
}

TEST_F(ProfileStoreTest, ResolvePrefersUserIdForABareString) {
  Append({Track("t1", "same", "", 1), Track("t2", "", "same", 2)});
  EXPECT_EQ(*ps_->Resolve("same"), "user:same");
  EXPECT_EQ(*ps_->Resolve("anon:same"), "anon:same");
  EXPECT_EQ(Profile("anon:same").id, ps_->ProfileOf("anon:same"));
  EXPECT_EQ(ps_->Resolve("other").status().code(), Code::kNotFound);
}

TEST_F(ProfileStoreTest, ProfileIdsAreNeverReusedAfterReopen) {
  Append({Track("t1", "", "a1", 1), Track("t2", "u1", "", 2)});
  Append({Identify("i", "u1", "a1", 3)});  // profile 2 merged into 1
  Reopen();
  Append({Track("t3", "u9", "", 4)});
  EXPECT_EQ(ps_->ProfileOf("user:u9").value(), 3u);
}

}  // namespace
}  // namespace signpost::identity

namespace signpost::identity {
namespace {

// A profile's events stored under two identities, in many chunks of several appends, some index
// entries written and some still in memory, before and after a merge and a reopen.
TEST(ProfileStoreChunks, ProfileEventsSpanChunksFlushesAndAMerge) {
  store::testing::TempDir tmp;
  std::vector<std::string> expected;
  {
    auto opened = testing::OpenProfiles::Open({tmp.path(), true, 500});
    ASSERT_TRUE(opened.ok());
    auto& ps = **opened;
    for (int b = 0; b < 4; ++b) {
      std::vector<Event> batch;
      for (int i = 0; i < 400; ++i) {
        const std::string id = "b" + std::to_string(b) + "-" + std::to_string(i);
        if (i % 50 == 0) {
          batch.push_back(store::testing::Track(id, "", "anon-1", b * 1000 + i));
          expected.push_back(id);
        } else if (i % 50 == 25) {
          batch.push_back(store::testing::Track(id, "u1", "", b * 1000 + i));
          expected.push_back(id);
        } else {
          batch.push_back(store::testing::Track(id, "x" + std::to_string(i), "", b * 1000 + i));
        }
      }
      ASSERT_TRUE(ps.Append(batch).ok());
    }
    std::vector<Event> link = {store::testing::Identify("link", "u1", "anon-1", 99999)};
    ASSERT_TRUE(ps.Append(link).ok());
    expected.push_back("link");
    auto events = ps.ProfileEvents("u1", 0);
    ASSERT_TRUE(events.ok());
    std::vector<std::string> ids;
    for (const auto& e : *events) ids.push_back(e.message_id);
    EXPECT_EQ(ids, expected);
    EXPECT_EQ(ps.GetProfile("anon-1")->event_count, expected.size());
  }
  auto opened = testing::OpenProfiles::Open({tmp.path(), true});
  ASSERT_TRUE(opened.ok());
  auto last3 = (*opened)->ProfileEvents("anon-1", 3);
  ASSERT_TRUE(last3.ok());
  ASSERT_EQ(last3->size(), 3u);
  EXPECT_EQ((*last3)[0].message_id, expected[expected.size() - 3]);
  EXPECT_EQ((*last3)[2].message_id, "link");
  auto view = (*opened)->GetProfile("u1");
  EXPECT_EQ(view->event_count, expected.size());
  EXPECT_EQ(view->first_seen, 0);
  EXPECT_EQ(view->last_seen, 99999);
}

}  // namespace
}  // namespace signpost::identity
