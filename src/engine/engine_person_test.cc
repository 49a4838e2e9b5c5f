// What each service holds about one person, forgotten (an erasure's per-service half) and
// exported: a person inside a journey with a queued message is forgotten — they exit with reason
// `erased`, the message is never sent, no journey state, outbox item, static-list entry or dead
// letter of theirs is left — and everyone else is untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <span>
#include <sstream>

#include "base/system_events.h"
#include "engine/engine_impl.h"
#include "engine/person.h"
#include "engine/test_support.h"
#include "store/journey_records.h"

namespace signpost {
namespace {

using nlohmann::json;

constexpr const char* kAda = "ada-7f3a9c";              // the person forgotten
constexpr const char* kAdaAnon = "anon-ada-51b2e0";     // their anonymous id, linked
constexpr const char* kAdaEmail = "ada.q7@erase.test";  // their email trait
constexpr const char* kBob = "bob-22c81d";              // someone else

constexpr const char* kPersonDefinitions[] = {
    "kind: channel\nid: email\ntype: file\npath: email.ndjson\n",
    "kind: template\nid: welcome\nchannel: email\nsubject: Welcome\nhtml: \"<p>Hello</p>\"\n",
    R"(kind: journey
id: welcome
entry: { event: Signed Up }
goal: { type: drive_purchase, met_when: { event: Order Completed } }
steps:
  - { id: mail, message: { channel: email, template: welcome } }
  - { id: wait, wait: { for: 2d } }
  - { id: mail-2, message: { channel: email, template: welcome } }
)"};

class PersonTest : public EngineFixture<> {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    for (const char* d : kPersonDefinitions) ASSERT_NO_FATAL_FAILURE(Apply(d));
    ASSERT_NO_FATAL_FAILURE(Live("welcome"));
    Event link =
        Identify(kAda, clock_.NowMs(), {{"email", kAdaEmail}, {"consent", {{"email", true}}}});
    link.anonymous_id = kAdaAnon;
    ASSERT_NO_FATAL_FAILURE(Ingest({link}));
    ASSERT_NO_FATAL_FAILURE(Ingest({Identify(
        kBob, clock_.NowMs(), {{"email", "bob@keep.test"}, {"consent", {{"email", true}}}})}));
    clock_.Advance(kMinuteMs);
    ASSERT_NO_FATAL_FAILURE(Ingest(
        {Track(kAda, "Signed Up", clock_.NowMs()), Track(kBob, "Signed Up", clock_.NowMs())}));
    clock_.Advance(kMinuteMs);
    ASSERT_NO_FATAL_FAILURE(Ingest({Track(kAda, "Order Completed", clock_.NowMs()),
                                    Track(kBob, "Order Completed", clock_.NowMs())}));
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    // Two versions of a static list: the first holds ada, the second both.
    ASSERT_TRUE(engine_->ImportSegment(SegmentId("vip"), {kAda}, "v1", false).ok());
    ASSERT_TRUE(engine_->ImportSegment(SegmentId("vip"), {kBob}, "v2", true).ok());
    // Rejected input naming each of them (a timestamp that is not one).
    const std::string key = WriteKey();
    for (const std::string& body :
         {json{{"type", "track"}, {"anonymousId", kAdaAnon}, {"event", "X"}, {"timestamp", "no"}}
              .dump(),
          json{{"type", "track"}, {"userId", kBob}, {"event", "X"}, {"timestamp", "no"}}.dump()}) {
      auto r = engine_->IngestHttp("track", body, key);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    // A body that is not JSON is refused whole and kept as a dead letter as received.
    EXPECT_FALSE(
        engine_
            ->IngestHttp("track",
                         std::string("{\"type\":\"track\",\"userId\":\"") + kAda + "\", broken",
                         key)
            .ok());
  }

  EngineOptions Options() const override {
    EngineOptions o = EngineFixture::Options();
    o.public_url = "http://track.test";  // tracked links and an open pixel in the emails
    return o;
  }
  Engine::Impl& impl() { return ImplOf(*engine_); }

  engine::Person Ada() {
    const ProfileId profile = impl().profiles->ProfileOf(std::string("user:") + kAda);
    return {profile, impl().profiles->IdentitiesOf(profile)};
  }

  // Forgets ada in every service, in the order an erasure calls them.
  PersonForgotten Forget() {
    const engine::Person ada = Ada();
    PersonForgotten total;
    auto add = [&](Result<PersonForgotten> r) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) total += *r;
    };
    add(impl().journeys->ForgetPerson(ada));
    add(impl().delivery->ForgetPerson(ada));
    add(impl().segments->ForgetPerson(ada));
    add(impl().events->ForgetDeadLetters(ada));
    add(impl().channels->ForgetPerson(ada));
    return total;
  }

  JourneyStepView Step(const std::string& id) {
    auto j = engine_->Journey("welcome");
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    if (j.ok())
      for (const auto& s : j->steps)
        if (s.id == id) return s;
    return {};
  }
  std::vector<std::string> OutboxIdentities() {
    auto o = engine_->Outbox(0);
    EXPECT_TRUE(o.ok());
    std::vector<std::string> out;
    if (o.ok())
      for (const auto& m : o->messages) out.push_back(m.identity);
    return out;
  }
  std::string DeadLetterText() {
    auto d = engine_->ListDeadLetters(100);
    EXPECT_TRUE(d.ok());
    return d.ok() ? wire::ToJson(*d).dump() : "";
  }
  // The profile ids with a journey state record in the store.
  std::vector<uint64_t> StoredStates() {
    std::vector<uint64_t> out;
    store::JourneyRecords records(&impl().store().db());
    store::JourneyRecords::Visitor visitor;
    visitor.profile_state = [&](ProfileId p, std::string_view) { out.push_back(p.value()); };
    EXPECT_TRUE(records.Load(visitor).ok());
    return out;
  }
  std::string FileText(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

TEST_F(PersonTest, ForgottenPersonExitsErasedMessageNeverSentNothingLeft) {
  // Before: both are at the wait with their first message queued (no delivery thread in tests).
  ASSERT_EQ(Step("wait").in_progress, 2u);
  ASSERT_EQ(OutboxIdentities().size(), 2u);
  ASSERT_EQ(StoredStates().size(), 2u);
  ASSERT_NE(DeadLetterText().find(kAdaAnon), std::string::npos);
  auto before = engine_->GoalReport("welcome", GoalReportQuery());
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_EQ(before->attained, 2u);
  const uint64_t ada = Ada().profile.value();

  const PersonForgotten f = Forget();
  EXPECT_EQ(f.journey_exits, 1u);
  EXPECT_EQ(f.journey_states, 1u);
  EXPECT_EQ(f.outbox_cancelled, 1u);
  EXPECT_EQ(f.outbox_deleted, 1u);
  EXPECT_EQ(f.static_lists, 1u);
  EXPECT_EQ(f.static_versions, 2u);
  EXPECT_EQ(f.dead_letters, 2u);  // by the anonymous id, and the unparsable one by the userId

  // The exit is counted like any other at the step they were at; bob is still inside.
  EXPECT_EQ(Step("wait").exits[std::string(system_events::kExitErased)], 1u);
  EXPECT_EQ(Step("wait").in_progress, 1u);
  auto view = engine_->Journey("welcome");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->totals.erased, 1u);
  EXPECT_EQ(view->totals.entered, 2u);  // a count without the person in it
  EXPECT_EQ(view->totals.in_progress, 1u);
  EXPECT_EQ(impl().journeys->ProfilesIn(JourneyId("welcome")).size(), 1u);
  // The goal report reads the people entered now: their credit no longer counts, even before the
  // erasure removes their events (`Goal Attained` among them).
  auto goal = engine_->GoalReport("welcome", GoalReportQuery());
  ASSERT_TRUE(goal.ok()) << goal.status().ToString();
  EXPECT_EQ(goal->entered, 1u);
  EXPECT_EQ(goal->attained, 1u);
  EXPECT_EQ(OutboxIdentities(), std::vector<std::string>{std::string("user:") + kBob});
  const std::vector<uint64_t> states = StoredStates();
  EXPECT_EQ(states.size(), 1u);
  EXPECT_EQ(std::count(states.begin(), states.end(), ada), 0);
  ASSERT_TRUE(engine_->DeliverDue().ok());
  const std::string sent = FileText("email.ndjson");
  EXPECT_NE(sent.find("bob@keep.test"), std::string::npos);
  EXPECT_EQ(sent.find(kAdaEmail), std::string::npos);
  const std::string letters = DeadLetterText();
  EXPECT_EQ(letters.find(kAdaAnon), std::string::npos);
  EXPECT_EQ(letters.find(kAda), std::string::npos);
  EXPECT_NE(letters.find(kBob), std::string::npos);
  for (uint64_t version : {1u, 2u}) {
    auto v = impl().store().segments().Get("vip", version);
    ASSERT_TRUE(v.ok());
    for (const auto& identity : v->identities) EXPECT_EQ(identity.find(kAda), std::string::npos);
  }
  auto vip = engine_->Segment(SegmentId("vip"));
  ASSERT_TRUE(vip.ok());
  EXPECT_EQ(vip->identities, std::vector<std::string>{std::string("user:") + kBob});

  // Their timer never fires: two days on, only bob gets the second message.
  clock_.Advance(3 * kDayMs);
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  EXPECT_EQ(Step("mail-2").inflow, 1u);
  EXPECT_EQ(OutboxIdentities().size(), 2u);  // bob's two
  for (const auto& identity : OutboxIdentities()) EXPECT_EQ(identity, std::string("user:") + kBob);

  // Idempotent, and durable across a restart.
  const PersonForgotten again = Forget();
  EXPECT_EQ(again.journey_exits + again.journey_states + again.outbox_deleted +
                again.static_versions + again.dead_letters,
            0u);
  Reopen();
  EXPECT_EQ(Step("wait").exits[std::string(system_events::kExitErased)], 1u);
  EXPECT_EQ(StoredStates().size(), 1u);
}

// A regulation forgets a chunk of people at once (one pass over the outbox, the static lists and
// the dead letters): the counts are those of forgetting them one by one, and nothing of either is
// left.
TEST_F(PersonTest, ForgettingTwoPeopleAtOnceCountsAsOneByOne) {
  const engine::Person ada = Ada();
  const ProfileId bob_profile = impl().profiles->ProfileOf(std::string("user:") + kBob);
  const engine::Person bob{bob_profile, impl().profiles->IdentitiesOf(bob_profile)};
  const std::vector<engine::Person> both = {ada, bob};
  // What each holds, read before.
  size_t outbox = 0, versions = 0, lists = 0;
  std::set<uint64_t> letters;
  for (const engine::Person& p : both) {
    auto items = impl().delivery->ExportPerson(p);
    ASSERT_TRUE(items.ok());
    outbox += items->size();
    auto holding = impl().store().segments().Holding(p.identities);
    ASSERT_TRUE(holding.ok());
    versions += holding->size();
    std::set<std::string> names;
    for (const auto& v : *holding) names.insert(v.name);
    lists += names.size();
    auto dead = impl().events->DeadLettersOf(p);
    ASSERT_TRUE(dead.ok());
    for (const auto& d : *dead) letters.insert(d.id);
  }
  ASSERT_EQ(outbox, 2u);
  ASSERT_GE(versions, 3u);
  ASSERT_FALSE(letters.empty());

  for (const engine::Person& p : both) ASSERT_TRUE(impl().journeys->ForgetPerson(p).ok());
  auto d = impl().delivery->ForgetPeople(both);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outbox_deleted, outbox);
  EXPECT_EQ(d->outbox_cancelled, outbox);
  auto s = impl().segments->ForgetPeople(both);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->static_versions, versions);
  EXPECT_EQ(s->static_lists, lists);
  auto l = impl().events->ForgetDeadLetters(std::span<const engine::Person>(both));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->dead_letters, letters.size());

  EXPECT_TRUE(OutboxIdentities().empty());
  auto vip = engine_->Segment(SegmentId("vip"));
  ASSERT_TRUE(vip.ok());
  EXPECT_TRUE(vip->identities.empty());
  const std::string text = DeadLetterText();
  EXPECT_EQ(text.find(kAda), std::string::npos);
  EXPECT_EQ(text.find(kBob), std::string::npos);
  // Idempotent.
  auto again = impl().segments->ForgetPeople(both);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->static_versions, 0u);
}

// A message sent before the erasure still carries its tracking links: an open or click of it
// afterwards records nothing, so the person does not come back through an old email.
TEST_F(PersonTest, AnOldEmailOfAForgottenPersonRecordsNoOpenOrClick) {
  ASSERT_TRUE(engine_->DeliverDue().ok());
  const std::string sent = FileText("email.ndjson");
  std::vector<std::string> pixels;
  for (size_t at = sent.find("/t/o/"); at != std::string::npos; at = sent.find("/t/o/", at + 1))
    pixels.push_back(sent.substr(at + 5, sent.find(".gif", at) - at - 5));
  ASSERT_EQ(pixels.size(), 2u);  // ada's and bob's
  Forget();
  for (const std::string& token : pixels) ASSERT_TRUE(engine_->TrackOpen(token).ok());
  auto opened = [&](const std::string& who) {
    auto events = engine_->ProfileEvents(who, 0);
    EXPECT_TRUE(events.ok());
    int n = 0;
    for (const Event& e : events.ok() ? events->events : std::vector<Event>{})
      n += e.event == system_events::kMessageOpened ? 1 : 0;
    return n;
  };
  EXPECT_EQ(opened(std::string("user:") + kAda), 0);
  EXPECT_EQ(opened(std::string("user:") + kBob), 1);
}

}  // namespace
}  // namespace signpost
