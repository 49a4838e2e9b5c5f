// Privacy regulations through the Engine: erasure of the identity layer, tombstones (old events
// refused, newer ones a new person), suppression (refused and counted until unsuppress), requests
// that name nobody, restarts.
#include <gtest/gtest.h>

#include "engine/engine_impl.h"
#include "engine/test_support.h"

namespace signpost {
namespace {

class PrivacyTest : public EngineFixture<> {
 protected:
  TimeMs Now() const { return clock_.NowMs(); }
  static constexpr TimeMs kHour = 3600 * 1000;

  RegulationReport Regulate(RegulationType type, std::vector<std::string> ids,
                            SubjectType subject = SubjectType::kIdentity) {
    RegulationRequest request;
    request.type = type;
    request.subject = subject;
    request.ids = std::move(ids);
    auto r = engine_->Regulate(request);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RegulationReport{};
  }
  // A person: userId `user`, anonymousId `anon` linked by an identify with an email trait, and
  // two track events.
  void AddPerson(const std::string& user, const std::string& anon, TimeMs at) {
    Event id = Identify(user, at, {{"email", user + "@example.test"}});
    id.anonymous_id = anon;
    Ingest(
        {id, Track("anon:" + anon, "Signed Up", at + 1), Track(user, "Order Completed", at + 2)});
  }
  bool Known(const std::string& id) { return engine_->Profile(id).ok(); }
  uint64_t Metric(std::string_view name) {
    const std::string text = engine_->MetricsText();
    const std::string key = std::string(name) + " ";
    size_t at = text.find("\n" + key);
    if (at == std::string::npos) return ~uint64_t{0};
    return std::stoull(text.substr(at + 1 + key.size()));
  }
};

TEST_F(PrivacyTest, EraseRemovesEveryIdentityAndTraitOfTheProfile) {
  const TimeMs t0 = Now() - 10 * kHour;
  AddPerson("erase-me-user", "erase-me-anon", t0);
  AddPerson("keep-user", "keep-anon", t0);
  RegulationReport r = Regulate(RegulationType::kDelete, {"erase-me-anon"});
  EXPECT_EQ(r.state, "done");
  EXPECT_EQ(r.subjects, 1u);
  EXPECT_EQ(r.found, 1u);
  EXPECT_EQ(r.profiles_erased, 1u);
  EXPECT_EQ(r.identities_erased, 2u);
  EXPECT_TRUE(r.not_found.empty());
  EXPECT_FALSE(Known("erase-me-user"));
  EXPECT_FALSE(Known("anon:erase-me-anon"));
  ASSERT_TRUE(Known("keep-user"));
  EXPECT_EQ(engine_->Profile("keep-user")->traits.at("email"), "\"keep-user@example.test\"");
  // Nothing of the person is left in the identity or trait records, on disk either.
  Reopen();
  EXPECT_FALSE(Known("erase-me-user"));
  EXPECT_FALSE(Known("anon:erase-me-anon"));
  Engine::Impl& impl = ImplOf(*engine_);
  for (store::Cf cf : {store::Cf::kIdentities, store::Cf::kTraits, store::Cf::kRefusedMerges,
                       store::Cf::kPrivacy}) {
    ASSERT_TRUE(impl.store()
                    .db()
                    .Scan(cf, "", "",
                          [&](std::string_view k, std::string_view v) {
                            EXPECT_EQ(std::string(k).find("erase-me"), std::string::npos);
                            EXPECT_EQ(std::string(v).find("erase-me"), std::string::npos);
                            return true;
                          })
                    .ok());
  }
}

TEST_F(PrivacyTest, RefusedMergesKeepTheOtherSideAndLoseTheErasedOne) {
  const TimeMs t0 = Now() - 10 * kHour;
  AddPerson("alice-secret", "alice-anon", t0);
  AddPerson("bob", "bob-anon", t0);
  // An alias that would join two userIds is refused and recorded with both ids.
  Event alias = Track("bob", "", t0 + 100);
  alias.type = EventType::kAlias;
  alias.previous_id = "alice-secret";
  Ingest({alias});
  ASSERT_EQ(engine_->Profile("bob")->refused_merges.size(), 1u);
  Regulate(RegulationType::kDelete, {"alice-secret"}, SubjectType::kUserId);
  auto bob = engine_->Profile("bob");
  ASSERT_TRUE(bob.ok());
  ASSERT_EQ(bob->refused_merges.size(), 1u);
  const ProfileRefusedMerge& m = bob->refused_merges[0];
  EXPECT_EQ(m.identity, "user:bob");
  EXPECT_EQ(m.other, "(erased)");
  EXPECT_EQ(m.other_user, "(erased)");
  EXPECT_EQ(m.message_id, "(erased)");
}

TEST_F(PrivacyTest, AfterEraseOlderEventsAreRefusedAndNewerOnesAreANewPerson) {
  const TimeMs t0 = Now() - 10 * kHour;
  AddPerson("late-user", "late-anon", t0);
  Regulate(RegulationType::kDelete, {"late-user"});
  const uint64_t stored = engine_->EventCount();
  // A late event, and a re-sent old one (timestamps before the erase time): refused, counted.
  auto late =
      engine_->IngestEvents({TrackEvent("late-user", "Page Viewed", t0 + 5 * kHour, {}, "x1"),
                             TrackEvent("anon:late-anon", "Signed Up", t0, {}, "x2")});
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->accepted, 0u);
  EXPECT_EQ(engine_->EventCount(), stored);
  EXPECT_FALSE(Known("late-user"));
  EXPECT_EQ(Metric("signpost_events_refused_erased_total"), 2u);
  // After a restart too.
  Reopen();
  auto again = engine_->IngestEvents({TrackEvent("late-user", "Page Viewed", t0, {}, "x3")});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 0u);
  EXPECT_FALSE(Known("late-user"));
  // An event after the erase time is a new person.
  clock_.Advance(kHour);
  auto fresh = engine_->IngestEvents({TrackEvent("late-user", "Signed Up", Now(), {}, "x4")});
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->accepted, 1u);
  auto profile = engine_->Profile("late-user");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->event_count, 1u);
  EXPECT_TRUE(profile->traits.empty());
}

TEST_F(PrivacyTest, SuppressRefusesEveryLaterEventOfAnyIdentityUntilUnsuppress) {
  const TimeMs t0 = Now() - 10 * kHour;
  AddPerson("quiet-user", "quiet-anon", t0);
  const uint64_t stored = engine_->EventCount();
  RegulationReport s = Regulate(RegulationType::kSuppress, {"quiet-user"}, SubjectType::kUserId);
  EXPECT_EQ(s.found, 1u);
  EXPECT_EQ(s.identities_suppressed, 2u);
  EXPECT_EQ(s.profiles_erased, 0u);
  EXPECT_TRUE(Known("quiet-user"));  // suppression keeps what is stored
  clock_.Advance(kHour);
  auto refused =
      engine_->IngestEvents({TrackEvent("anon:quiet-anon", "Signed Up", Now(), {}, "s1"),
                             TrackEvent("quiet-user", "Order Completed", Now(), {}, "s2"),
                             TrackEvent("someone-else", "Signed Up", Now(), {}, "s3")});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->accepted, 1u);
  EXPECT_EQ(engine_->EventCount(), stored + 1);
  EXPECT_EQ(Metric("signpost_events_refused_suppressed_total"), 2u);
  auto record = engine_->Regulation(s.id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->refused_events, 2u);
  EXPECT_EQ(record->state, "done");
  // The suppression outlives a restart; lifting it by any of the person's identities.
  Reopen();
  auto still =
      engine_->IngestEvents({TrackEvent("quiet-user", "Order Completed", Now(), {}, "s4")});
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->accepted, 0u);
  RegulationReport u = Regulate(RegulationType::kUnsuppress, {"anon:quiet-anon"});
  EXPECT_EQ(u.identities_unsuppressed, 2u);
  auto back = engine_->IngestEvents({TrackEvent("quiet-user", "Order Completed", Now(), {}, "s5")});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->accepted, 1u);
  EXPECT_EQ(Metric("signpost_identities_suppressed"), 0u);
}

TEST_F(PrivacyTest, SuppressWithDeleteErasesAndRefusesLaterEventsToo) {
  const TimeMs t0 = Now() - 10 * kHour;
  AddPerson("gone-user", "gone-anon", t0);
  RegulationReport r = Regulate(RegulationType::kSuppressWithDelete, {"user:gone-user"});
  EXPECT_EQ(r.profiles_erased, 1u);
  EXPECT_EQ(r.identities_suppressed, 2u);
  // A bare id is suppressed read both ways (as a userId and as an anonymousId).
  RegulationReport bare = Regulate(RegulationType::kSuppress, {"never-seen"});
  EXPECT_EQ(bare.identities_suppressed, 2u);
  EXPECT_EQ(bare.not_found, std::vector<std::string>{"never-seen"});
  clock_.Advance(kHour);
  auto later = engine_->IngestEvents({TrackEvent("anon:gone-anon", "Signed Up", Now(), {}, "g1")});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->accepted, 0u);
  EXPECT_FALSE(Known("anon:gone-anon"));
}

TEST_F(PrivacyTest, ErasingTwiceOrSomeoneUnknownReportsNothingFound) {
  AddPerson("twice-user", "twice-anon", Now() - kHour);
  RegulationReport first = Regulate(RegulationType::kDelete, {"twice-user", "nobody-at-all"});
  EXPECT_EQ(first.found, 1u);
  EXPECT_EQ(first.not_found, std::vector<std::string>{"nobody-at-all"});
  RegulationReport second = Regulate(RegulationType::kDelete, {"twice-user"});
  EXPECT_EQ(second.found, 0u);
  EXPECT_EQ(second.profiles_erased, 0u);
  EXPECT_EQ(second.state, "done");
  EXPECT_GT(second.id, first.id);
  auto record = engine_->Regulation(first.id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->profiles_erased, 1u);
  EXPECT_TRUE(record->not_found.empty());  // ids are never kept
  EXPECT_EQ(engine_->Regulation(999).status().code(), Code::kNotFound);
}

TEST_F(PrivacyTest, BadRequestsNameTheField) {
  RegulationRequest request;
  auto empty = engine_->Regulate(request);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("ids"), std::string::npos);
  request.ids = {"fine", std::string(kMaxRegulationIdBytes + 1, 'x')};
  auto long_id = engine_->Regulate(request);
  ASSERT_FALSE(long_id.ok());
  EXPECT_NE(long_id.status().message().find("ids[1]"), std::string::npos);
  request.ids = {"tab\there"};
  auto control = engine_->Regulate(request);
  ASSERT_FALSE(control.ok());
  EXPECT_NE(control.status().message().find("ids[0]"), std::string::npos);
}

}  // namespace
}  // namespace signpost
