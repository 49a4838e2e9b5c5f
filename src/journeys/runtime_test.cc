// Runtime unit tests on an in-memory environment. The rules as data (with real segments, delivery
// and the store) are the scenario files in tests/scenarios/journeys, run by src/engine.
#include "journeys/runtime.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <map>
#include <set>

#include "base/system_events.h"
#include "base/time.h"
#include "delivery/signing.h"

namespace signpost::journeys {
namespace {

constexpr TimeMs kT0 = 1'790'000'000'000;  // 2026-09-21T...Z
constexpr TimeMs kHour = 3'600'000;

struct FakeWorld {
  std::map<uint64_t, std::map<std::string, std::string>> traits;  // profile -> name -> JSON
  std::map<std::string, std::set<uint64_t>> segments;
  std::map<std::string, SegmentDependencies> deps;
  std::map<std::string, std::string> winners;  // "journey/step" -> decided variant
  std::vector<ChannelQuestion> questions;      // every ChooseChannel, in order
  std::optional<ChannelChoice> answer;         // what ChooseChannel answers (else the default)
};

class FakeScope : public ProfileScope {
 public:
  FakeScope(FakeWorld* w, ProfileId p)
      : w_(w), p_(p), identity_("user:u" + std::to_string(p.value())) {}
  const std::string& Identity() override { return identity_; }
  std::optional<std::string> TraitAt(std::string_view name, TimeMs) override {
    auto& t = w_->traits[p_.value()];
    auto it = t.find(std::string(name));
    if (it == t.end()) return std::nullopt;
    return it->second;
  }
  nlohmann::json TraitsAt(TimeMs) override {
    nlohmann::json o = nlohmann::json::object();
    for (auto& [k, v] : w_->traits[p_.value()]) o[k] = nlohmann::json::parse(v);
    return o;
  }
  Result<bool> InSegment(const SegmentId& name, TimeMs) override {
    return w_->segments[name.value()].count(p_.value()) != 0;
  }
  Result<bool> DidEvent(const rules::EventMatcher&, TimeMs, TimeMs) override { return false; }
  Result<journeys::FunnelStepState> FunnelStepAt(const FunnelId&, TimeMs) override {
    return journeys::FunnelStepState{};
  }

 private:
  FakeWorld* w_;
  ProfileId p_;
  std::string identity_;
};

class FakeEnv : public Environment {
 public:
  explicit FakeEnv(FakeWorld* w) : w_(w) {}
  std::unique_ptr<ProfileScope> Open(ProfileId p) override {
    return std::make_unique<FakeScope>(w_, p);
  }
  SegmentDependencies DependenciesOf(const SegmentId& s) override { return w_->deps[s.value()]; }
  std::optional<std::string> SplitWinner(const JourneyId& j, std::string_view step,
                                         TimeMs) override {
    auto it = w_->winners.find(j.value() + "/" + std::string(step));
    if (it == w_->winners.end()) return std::nullopt;
    return it->second;
  }
  ChannelChoice ChooseChannel(const ChannelQuestion& q) override {
    w_->questions.push_back(q);
    return w_->answer ? *w_->answer : Environment::ChooseChannel(q);
  }
  Result<std::vector<ProfileId>> Members(const SegmentId& s, TimeMs) override {
    std::vector<ProfileId> out;
    for (uint64_t p : w_->segments[s.value()]) out.push_back(ProfileId(p));
    return out;
  }

 private:
  FakeWorld* w_;
};

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_ = std::make_unique<Runtime>(&env_, RuntimeOptions{2, 1000, ""});
  }

  void Apply(const std::string& yaml, uint64_t version = 1) {
    auto def = ParseJourneyDefinition(yaml, {});
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    runtime_->AddVersion(std::make_shared<JourneyDefinition>(*def), version);
  }
  void Start(const std::string& id, TimeMs at = kT0) {
    ASSERT_TRUE(runtime_->Start(JourneyId(id), at, &fx_).ok());
  }
  void Send(uint64_t profile, const std::string& name, TimeMs at, const std::string& props = "{}") {
    runtime_->AdvanceTo(at - 1, &fx_);
    InputEvent e;
    e.profile = ProfileId(profile);
    e.name = name;
    e.timestamp = at;
    e.properties = props;
    runtime_->Process(e, &fx_);
  }
  // Names of system events recorded for `profile`, in order.
  std::vector<std::string> Recorded(uint64_t profile) {
    std::vector<std::string> out;
    for (const Event& e : fx_.events) {
      if (e.user_id != "u" + std::to_string(profile)) continue;
      std::string what = e.event;
      auto props = nlohmann::json::parse(e.properties);
      if (props.contains("reason")) what += ":" + props["reason"].get<std::string>();
      if (props.contains("step") && e.event != system_events::kJourneyExited)
        what += "@" + props["step"].get<std::string>();
      out.push_back(what);
    }
    return out;
  }
  const StepCounters& Step(const std::string& journey, const std::string& step) {
    return runtime_->StatusOf(JourneyId(journey))->steps.at(step);
  }

  FakeWorld world_;
  FakeEnv env_{&world_};
  std::unique_ptr<Runtime> runtime_;
  Effects fx_;
};

const char* kCart = R"(
kind: journey
id: cart
entry: { event: Cart Abandoned, where: { properties.value: { gt: 20 } }, reentry: after 7d }
exclude: [vip]
suppress: [buyers]
steps:
  - id: wait-1h
    wait: { for: 1h }
  - id: reminder
    message: { channel: email, template: cart-reminder }
  - id: wait-purchase
    wait: { until_event: Order Completed, match: { properties.cart_id: "{{entry.properties.cart_id}}" }, timeout: 2d }
    on_event: exit
    on_timeout: nudge
  - id: nudge
    message: { channel: sms, template: cart-sms }
)";

void Consent(FakeWorld& w, uint64_t p) {
  w.traits[p] = {{"email", "\"a@x.test\""},
                 {"phone", "\"+1555\""},
                 {"consent.email", "true"},
                 {"consent.sms", "true"}};
}

TEST_F(RuntimeTest, AbandonedCartWaitsSendsAndEndsOnTheCorrelatedPurchase) {
  Apply(kCart);
  Start("cart");
  Consent(world_, 1);
  Send(1, "Cart Abandoned", kT0 + kHour, R"({"value": 50, "cart_id": "c1"})");
  runtime_->AdvanceTo(kT0 + 2 * kHour, &fx_);
  ASSERT_EQ(fx_.messages.size(), 1u);
  EXPECT_EQ(fx_.messages[0].key, "cart/1/1/1/reminder");
  EXPECT_EQ(fx_.messages[0].to, "a@x.test");
  EXPECT_EQ(fx_.messages[0].created_at, kT0 + 2 * kHour);
  Send(1, "Order Completed", kT0 + 3 * kHour, R"({"cart_id": "other"})");  // not this cart
  Send(1, "Order Completed", kT0 + 4 * kHour, R"({"cart_id": "c1"})");
  EXPECT_EQ(Recorded(1), (std::vector<std::string>{"Journey Entered", "Message Sent@reminder",
                                                   "Journey Exited:completed"}));
  EXPECT_EQ(Step("cart", "wait-purchase").passed_on, 1u);
  EXPECT_EQ(runtime_->StatusOf(JourneyId("cart"))->in_progress, 0u);
}

TEST_F(RuntimeTest, AForgottenProfileExitsErasedWithoutAnEventAndItsTimerNeverFires) {
  Apply(kCart);
  Start("cart");
  Consent(world_, 1);
  Consent(world_, 2);
  Send(1, "Cart Abandoned", kT0, R"({"value": 50, "cart_id": "c1"})");
  Send(2, "Cart Abandoned", kT0, R"({"value": 50, "cart_id": "c2"})");
  Effects forget;
  const std::vector<ForgottenEntry> gone = runtime_->Forget(ProfileId(1), &forget);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].journey, JourneyId("cart"));
  EXPECT_EQ(gone[0].step, "wait-1h");
  EXPECT_EQ(gone[0].entry, 1u);
  EXPECT_TRUE(forget.events.empty());  // no event of the person is recorded
  EXPECT_EQ(forget.dirty_profiles, std::unordered_set<uint64_t>{1});
  EXPECT_EQ(forget.dirty_journeys, std::set<JourneyId>{JourneyId("cart")});
  EXPECT_EQ(runtime_->State(ProfileId(1)), nullptr);
  EXPECT_EQ(Step("cart", "wait-1h").exits.at(std::string(system_events::kExitErased)), 1u);
  const JourneyStatus& st = *runtime_->StatusOf(JourneyId("cart"));
  EXPECT_EQ(st.in_progress, 1u);
  EXPECT_EQ(st.erased, 1u);
  EXPECT_EQ(st.entered, 2u);  // a count without the person in it
  // The profile's timer is gone: an hour on, only profile 2 gets its reminder.
  runtime_->AdvanceTo(kT0 + 2 * kHour, &fx_);
  ASSERT_EQ(fx_.messages.size(), 1u);
  EXPECT_EQ(fx_.messages[0].profile, 2u);
  EXPECT_EQ(Recorded(1), std::vector<std::string>{"Journey Entered"});  // from before, only
  // A repeat finds nothing; the status survives its JSON round trip with the count.
  Effects again;
  EXPECT_TRUE(runtime_->Forget(ProfileId(1), &again).empty());
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(JourneyStatusFromJson(ToJson(st)).erased, 1u);
}

TEST_F(RuntimeTest, ACorrelatedWaitTimesOutIntoTheSmsNudgeAndTheBoundIsInclusive) {
  Apply(kCart);
  Start("cart");
  Consent(world_, 1);
  Consent(world_, 2);
  Send(1, "Cart Abandoned", kT0, R"({"value": 50, "cart_id": "c1"})");
  Send(2, "Cart Abandoned", kT0, R"({"value": 50, "cart_id": "c2"})");
  const TimeMs wait_start = kT0 + kHour;
  const TimeMs timeout = wait_start + 2 * 24 * kHour;
  Send(2, "Order Completed", timeout, R"({"cart_id": "c2"})");  // exactly at the timeout: in time
  runtime_->AdvanceTo(timeout + 1, &fx_);
  EXPECT_EQ(Recorded(1).back(), "Journey Exited:completed");
  EXPECT_EQ(Recorded(1)[2], "Message Sent@nudge");
  EXPECT_EQ(Recorded(2).size(), 3u);  // entered, reminder, exited on the purchase: no nudge
}

TEST_F(RuntimeTest, ReentryAfterSevenDaysAndTheTriggerCondition) {
  Apply(kCart);
  Start("cart");
  Consent(world_, 1);
  Send(1, "Cart Abandoned", kT0, R"({"value": 10})");  // value not > 20: no entry
  EXPECT_EQ(runtime_->StatusOf(JourneyId("cart"))->entries, 0u);
  Send(1, "Cart Abandoned", kT0 + 1000, R"({"value": 30, "cart_id": "a"})");
  runtime_->AdvanceTo(kT0 + 4 * 24 * kHour, &fx_);  // timed out, nudged, completed
  Send(1, "Cart Abandoned", kT0 + 5 * 24 * kHour, R"({"value": 30, "cart_id": "b"})");  // < 7d
  EXPECT_EQ(Step("cart", "entry").exits.at("reentry_blocked"), 1u);
  Send(1, "Cart Abandoned", kT0 + 1000 + 7 * 24 * kHour, R"({"value": 30, "cart_id": "c"})");
  EXPECT_EQ(runtime_->StatusOf(JourneyId("cart"))->entries, 2u);
  EXPECT_EQ(runtime_->StatusOf(JourneyId("cart"))->entered, 1u);  // unique profiles
}

TEST_F(RuntimeTest, ExclusionKeepsOutWhileSuppressionRemovesAtOnce) {
  Apply(kCart);
  Start("cart");
  world_.deps["buyers"] = {{"Order Completed"}, false};
  Consent(world_, 1);
  Consent(world_, 2);
  world_.segments["vip"] = {1};
  Send(1, "Cart Abandoned", kT0, R"({"value": 50})");
  Send(2, "Cart Abandoned", kT0, R"({"value": 50, "cart_id": "x"})");
  EXPECT_EQ(Step("cart", "entry").exits.at("excluded"), 1u);
  EXPECT_TRUE(Recorded(1).empty());
  world_.segments["buyers"] = {2};
  Send(2, "Order Completed", kT0 + 1000, R"({"cart_id": "other"})");
  EXPECT_EQ(Recorded(2).back(), "Journey Exited:suppressed");
  EXPECT_EQ(Step("cart", "wait-1h").exits.at("suppressed"), 1u);
}

TEST_F(RuntimeTest, HoldoutWalksTheJourneyButReceivesNothing) {
  Apply(R"(
kind: journey
id: h
entry: { event: Go, reentry: always }
settings: { holdout: 50% }
steps:
  - id: m
    message: { channel: email, template: t }
)");
  Start("h");
  int holdout = 0;
  for (uint64_t p = 1; p <= 200; ++p) {
    Consent(world_, p);
    Send(p, "Go", kT0 + static_cast<TimeMs>(p));
  }
  for (const Event& e : fx_.events) {
    if (e.event == system_events::kJourneyEntered &&
        e.properties.find("\"holdout\":true") != std::string::npos)
      ++holdout;
  }
  EXPECT_GT(holdout, 60);
  EXPECT_LT(holdout, 140);
  EXPECT_EQ(fx_.messages.size(), static_cast<size_t>(200 - holdout));
  EXPECT_EQ(runtime_->StatusOf(JourneyId("h"))->completed, 200u);
  EXPECT_EQ(runtime_->StatusOf(JourneyId("h"))->entered +
                runtime_->StatusOf(JourneyId("h"))->entered_holdout,
            200u);
}

TEST_F(RuntimeTest, FrequencyCapAcrossJourneysAndNoConsent) {
  const char* kTpl = R"(
kind: journey
id: J
entry: { event: Go, reentry: always }
steps:
  - id: m
    message: { channel: email, template: t }
)";
  for (const char* id : {"j1", "j2", "j3"}) {
    std::string y = kTpl;
    y.replace(y.find("id: J"), 5, std::string("id: ") + id);
    Apply(y);
    Start(id);
  }
  Consent(world_, 1);
  Send(1, "Go", kT0);  // three journeys, cap 2 a day
  EXPECT_EQ(fx_.messages.size(), 2u);
  size_t capped = 0;
  for (const char* id : {"j1", "j2", "j3"}) {
    auto& ex = Step(id, "m").exits;
    capped += ex.count("frequency_cap") ? ex.at("frequency_cap") : 0;
  }
  EXPECT_EQ(capped, 1u);
  Send(1, "Go", kT0 + 24 * kHour);  // a day later: the window has moved
  EXPECT_EQ(fx_.messages.size(), 4u);
  world_.traits[2] = {{"email", "\"b@x.test\""}};  // no consent trait
  Send(2, "Go", kT0);
  EXPECT_EQ(Step("j1", "m").exits.at("no_consent"), 1u);
}

TEST_F(RuntimeTest, QuietHoursHoldTheMessageUntilTheyEndInTheProfilesZone) {
  Apply(R"(
kind: journey
id: q
entry: { event: Go }
settings: { quiet_hours: "21:00-08:00" }
steps:
  - id: m
    message: { channel: email, template: t }
)");
  Start("q", 0);
  Consent(world_, 1);
  world_.traits[1]["timezone"] = "\"America/New_York\"";
  // 2026-11-24T03:00:00Z is 22:00 the evening before in New York (EST, UTC-5).
  TimeMs t = *ParseIso8601("2026-11-24T03:00:00Z");
  Send(1, "Go", t);
  EXPECT_TRUE(fx_.messages.empty());
  runtime_->AdvanceTo(*ParseIso8601("2026-11-24T12:59:59Z"), &fx_);
  EXPECT_TRUE(fx_.messages.empty());
  runtime_->AdvanceTo(*ParseIso8601("2026-11-24T13:00:00Z"), &fx_);  // 08:00 in New York
  ASSERT_EQ(fx_.messages.size(), 1u);
  EXPECT_EQ(fx_.messages[0].created_at, *ParseIso8601("2026-11-24T13:00:00Z"));
}

TEST_F(RuntimeTest, PeopleInsideFinishOnTheirVersionAndNewOnesTakeTheEdit) {
  const char* v1 = R"(
kind: journey
id: e
entry: { event: Go, reentry: always }
steps:
  - { id: w, wait: { for: 1h } }
  - { id: old, message: { channel: email, template: t } }
)";
  const char* v2 = R"(
kind: journey
id: e
entry: { event: Go, reentry: always }
steps:
  - { id: w, wait: { for: 1h } }
  - { id: new, message: { channel: email, template: t } }
)";
  Apply(v1, 1);
  Start("e");
  Consent(world_, 1);
  Consent(world_, 2);
  Send(1, "Go", kT0);
  Apply(v2, 2);
  runtime_->Upgrade(JourneyId("e"), 2, &fx_);
  Send(2, "Go", kT0 + 1);
  runtime_->AdvanceTo(kT0 + 2 * kHour, &fx_);
  ASSERT_EQ(fx_.messages.size(), 2u);
  EXPECT_EQ(fx_.messages[0].step, "old");
  EXPECT_EQ(fx_.messages[0].version, 1u);
  EXPECT_EQ(fx_.messages[1].step, "new");
}

TEST_F(RuntimeTest, StartAndEndTimesBoundEntriesAndTheEndExitsEveryone) {
  Apply(R"(
kind: journey
id: se
entry: { event: Go }
start: 2026-11-01T00:00:00Z
end: 2026-11-10T00:00:00Z
steps:
  - { id: w, wait: { for: 30d } }
)");
  Start("se", 0);
  Send(1, "Go", *ParseIso8601("2026-10-31T23:59:59Z"));  // before the start
  Send(2, "Go", *ParseIso8601("2026-11-01T00:00:00Z"));
  runtime_->AdvanceTo(*ParseIso8601("2026-11-20T00:00:00Z"), &fx_);
  Send(3, "Go", *ParseIso8601("2026-11-20T00:00:01Z"));  // after the end
  EXPECT_TRUE(Recorded(1).empty());
  EXPECT_EQ(Recorded(2),
            (std::vector<std::string>{"Journey Entered", "Journey Exited:journey_completed"}));
  EXPECT_EQ(runtime_->StatusOf(JourneyId("se"))->state, Lifecycle::kCompleted);
  EXPECT_TRUE(Recorded(3).empty());
}

TEST_F(RuntimeTest, StateSurvivesARoundTripAndTimersFireOnce) {
  Apply(kCart);
  Start("cart");
  Consent(world_, 1);
  Send(1, "Cart Abandoned", kT0, R"({"value": 50, "cart_id": "c1"})");
  ProfileState saved = ProfileStateFromJson(ToJson(*runtime_->State(ProfileId(1))));
  JourneyStatus status = JourneyStatusFromJson(ToJson(*runtime_->StatusOf(JourneyId("cart"))));
  Runtime restored(&env_, RuntimeOptions{2, 1000, ""});
  auto def = ParseJourneyDefinition(kCart, {});
  restored.AddVersion(std::make_shared<JourneyDefinition>(*def), 1);
  restored.RestoreStatus(JourneyId("cart"), status);
  restored.RestoreState(ProfileId(1), saved);
  Effects fx;
  restored.AdvanceTo(kT0 + kHour, &fx);
  restored.AdvanceTo(kT0 + kHour, &fx);
  ASSERT_EQ(fx.messages.size(), 1u);
  EXPECT_EQ(fx.messages[0].key, "cart/1/1/1/reminder");
}

TEST_F(RuntimeTest, SplitAssignmentIsStableByWeightAndADecidedWinnerTakesEveryNewProfile) {
  Apply(R"(
kind: journey
id: ab
entry: { event: Go, reentry: always }
steps:
  - id: s
    split: { variants: [ { id: A, weight: 30% }, { id: B, weight: 70% } ] }
)");
  Start("ab");
  auto variants = [this](uint64_t from, uint64_t to, TimeMs at) {
    std::map<std::string, int> n;
    for (uint64_t p = from; p < to; ++p) Send(p, "Go", at);
    for (const Event& e : fx_.events) {
      if (e.event != system_events::kExperimentAssigned) continue;
      uint64_t p = std::stoull(e.user_id.substr(1));
      if (p >= from && p < to)
        ++n[nlohmann::json::parse(e.properties)["variant"].get<std::string>()];
    }
    return n;
  };
  auto first = variants(1, 2001, kT0);
  EXPECT_NEAR(first["A"], 600, 90);
  EXPECT_NEAR(first["B"], 1400, 90);
  world_.winners["ab/s"] = "A";
  auto after = variants(5001, 5501, kT0 + kHour);
  EXPECT_EQ(after["A"], 500);
  EXPECT_EQ(after["B"], 0);
}

TEST(JourneyDefinitionTest, BadDefinitionsAreRefusedWithTheFieldAndTheFix) {
  auto err = [](const std::string& y) { return ParseJourneyDefinition(y, {}).status().message(); };
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - { id: a, wait: { for: 1h "
                "}, next: nope }\n")
                .find("no step has id 'nope'"),
            std::string::npos);
  EXPECT_NE(
      err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - { id: a, wait: { for: soon } }\n")
          .find("steps[0].wait.for"),
      std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n"
                "  - { id: a, update: { traits: { x: 1 } } }\n  - { id: b, update: { traits: { x: "
                "2 } }, next: a }\n")
                .find("has no wait"),
            std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: Journey Entered }\nsteps:\n  - { id: a, "
                "exit: true }\n")
                .find("recorded by signpost itself"),
            std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - id: s\n    split: { "
                "variants: [ {id: a, weight: 95}, {id: b, weight: 5} ] }\n")
                .find("10% to 90%"),
            std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - { id: a, wait: { for: 1h } "
                "}\n  - { id: a, exit: true }\n")
                .find("steps[1].id (line 6)"),
            std::string::npos);
}

const char* kAuto = R"(
kind: journey
id: cart
entry: { event: Cart Abandoned, reentry: always }
steps:
  - id: nudge
    message:
      channel: auto
      default: email
      templates: { email: t-mail, sms: t-sms, push: t-push }
      optimize_by_segment: [vip, mobile]
)";

TEST_F(RuntimeTest, AutoMessageAsksAmongTheChannelsWithConsentAndAnAddress) {
  Apply(kAuto);
  Start("cart");
  // 1: sms only (an email address but no email consent), in segment mobile only.
  world_.traits[1] = {{"email", "\"a@x.test\""}, {"phone", "\"+1\""}, {"consent.sms", "true"}};
  world_.segments["mobile"] = {1, 2};
  world_.segments["vip"] = {2};
  // 2: everything, in vip and mobile.
  world_.traits[2] = {{"email", "\"b@x.test\""}, {"phone", "\"+2\""},
                      {"push_token", "\"p2\""},  {"consent.sms", "true"},
                      {"consent.email", "true"}, {"consent.push", "true"}};
  Send(1, "Cart Abandoned", kT0 + kHour);
  world_.answer = ChannelChoice{"push", false};
  Send(2, "Cart Abandoned", kT0 + kHour);
  world_.answer = ChannelChoice{"email", true};
  Send(2, "Cart Abandoned", kT0 + 2 * kHour);

  ASSERT_EQ(world_.questions.size(), 3u);
  const ChannelQuestion& q1 = world_.questions[0];
  EXPECT_EQ(q1.journey, "cart");
  EXPECT_EQ(q1.step, "nudge");
  EXPECT_EQ(q1.key, "cart/1/1/1/nudge");
  EXPECT_EQ(q1.available, std::vector<std::string>{"sms"});
  EXPECT_EQ(q1.default_channel, "email");
  EXPECT_EQ(q1.segment, "mobile");  // the first listed segment it is in
  EXPECT_EQ(q1.at, kT0 + kHour);
  EXPECT_EQ(q1.seed, XXH3_64bits(q1.key.data(), q1.key.size()));
  EXPECT_EQ(world_.questions[1].available, (std::vector<std::string>{"email", "sms", "push"}));
  EXPECT_EQ(world_.questions[1].segment, "vip");
  EXPECT_NE(world_.questions[1].seed, world_.questions[2].seed);  // another entry

  ASSERT_EQ(fx_.messages.size(), 3u);
  EXPECT_EQ(fx_.messages[0].channel, "sms");  // the default rule: email is not available
  EXPECT_EQ(fx_.messages[0].template_id, "t-sms");
  EXPECT_EQ(fx_.messages[0].to, "+1");
  EXPECT_EQ(fx_.messages[1].channel, "push");
  EXPECT_EQ(fx_.messages[1].template_id, "t-push");
  EXPECT_EQ(fx_.messages[1].to, "p2");
  EXPECT_EQ(fx_.messages[2].channel, "email");
  EXPECT_EQ(fx_.messages[2].to, "b@x.test");
  std::vector<nlohmann::json> sent;
  for (const Event& e : fx_.events) {
    if (e.event == system_events::kMessageSent) sent.push_back(nlohmann::json::parse(e.properties));
  }
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0]["channel"], "sms");
  EXPECT_EQ(sent[0]["template"], "t-sms");
  EXPECT_EQ(sent[0]["auto"], true);
  EXPECT_EQ(sent[0]["control"], false);
  EXPECT_EQ(sent[0]["segment"], "mobile");
  EXPECT_EQ(sent[0]["key"], "cart/1/1/1/nudge");
  EXPECT_EQ(sent[2]["control"], true);
  EXPECT_EQ(sent[2]["channel"], "email");
}

TEST_F(RuntimeTest, AutoMessageExitsOnlyWhenNoChannelIsLeft) {
  Apply(kAuto);
  Start("cart");
  world_.traits[1] = {{"email", "\"a@x.test\""}, {"phone", "\"+1\""}};      // no consent
  world_.traits[2] = {{"consent.email", "true"}, {"consent.sms", "true"}};  // no address
  world_.traits[3] = {{"consent.push", "true"}, {"push_token", "\"p3\""}};
  world_.answer = ChannelChoice{"email", false};  // not available to 3: the default rule applies
  for (uint64_t p : {1, 2, 3}) Send(p, "Cart Abandoned", kT0 + kHour);
  EXPECT_EQ(Recorded(1),
            (std::vector<std::string>{"Journey Entered", "Journey Exited:no_consent"}));
  EXPECT_EQ(Recorded(2),
            (std::vector<std::string>{"Journey Entered", "Journey Exited:no_address"}));
  ASSERT_EQ(world_.questions.size(), 1u);
  ASSERT_EQ(fx_.messages.size(), 1u);
  EXPECT_EQ(fx_.messages[0].channel, "push");
  EXPECT_EQ(Step("cart", "nudge").exits.at("no_consent"), 1u);
  EXPECT_EQ(Step("cart", "nudge").exits.at("no_address"), 1u);
}

TEST(JourneyDefinitionTest, AutoMessageAndSplitEndParse) {
  References refs;
  refs.template_channel = [](std::string_view id, std::string* channel) -> std::string {
    if (id == "nope") return "template 'nope' is not defined";
    *channel = id.substr(0, id.find('-'));  // "sms-x" is an sms template
    return "";
  };
  refs.channel = [](std::string_view c) -> std::string {
    return c == "fax" ? "no channel 'fax' is configured" : "";
  };
  auto parse = [&refs](const std::string& message) {
    return ParseJourneyDefinition(
        "kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - id: m\n    message: " + message +
            "\n",
        refs);
  };
  auto ok = parse(
      "{ channel: auto, default: sms, templates: { email: email-a, sms: sms-b }, "
      "optimize_by_segment: vip }");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  const Step& s = ok->steps[0];
  EXPECT_EQ(s.channel, "auto");
  EXPECT_EQ(s.default_channel, "sms");
  EXPECT_TRUE(s.template_id.empty());
  ASSERT_EQ(s.auto_templates.size(), 2u);
  EXPECT_EQ(s.auto_templates[0], (std::pair<std::string, std::string>{"email", "email-a"}));
  EXPECT_EQ(s.optimize_by_segment, std::vector<SegmentId>{SegmentId("vip")});

  auto err = [&parse](const std::string& message) { return parse(message).status().message(); };
  EXPECT_NE(err("{ channel: auto, templates: { email: email-a, sms: sms-b } }")
                .find("steps[0].message.default (line 6): missing"),
            std::string::npos);
  EXPECT_NE(err("{ channel: auto, default: push, templates: { email: email-a, sms: sms-b } }")
                .find("'push' is not one of the channels under templates; use one of email, sms"),
            std::string::npos);
  EXPECT_NE(err("{ channel: auto, default: email, templates: { email: email-a } }")
                .find("at least 2 channels"),
            std::string::npos);
  EXPECT_NE(err("{ channel: auto, default: email, templates: { email: email-a, sms: email-b } }")
                .find("steps[0].message.templates.sms (line 6): template 'email-b' is for channel "
                      "'email', not 'sms'"),
            std::string::npos);
  EXPECT_NE(err("{ channel: auto, default: email, templates: { email: email-a, sms: nope } }")
                .find("not defined"),
            std::string::npos);
  EXPECT_NE(err("{ channel: auto, default: email, templates: { email: email-a, fax: fax-b } }")
                .find("steps[0].message.templates.fax (line 6): no channel 'fax'"),
            std::string::npos);
  EXPECT_NE(
      err("{ channel: auto, default: email, template: email-a }").find("one template per channel"),
      std::string::npos);
  EXPECT_NE(err("{ channel: email, template: email-a, default: email }")
                .find("only a message with `channel: auto`"),
            std::string::npos);

  auto split = [&refs](const std::string& extra) {
    return ParseJourneyDefinition(
        "kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - id: s\n    split: { " + extra +
            "variants: [ {id: a, weight: 50}, {id: b, weight: 50} ] }\n",
        refs);
  };
  auto ended = split("end: 2026-12-31T00:00:00Z, ");
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  EXPECT_EQ(ended->steps[0].split_end, ParseIso8601("2026-12-31T00:00:00Z").value());
  EXPECT_EQ(split("ends_at: 2026-12-31T00:00:00Z, ")->steps[0].split_end,
            ended->steps[0].split_end);
  EXPECT_FALSE(split("")->steps[0].split_end.has_value());
  EXPECT_NE(split("end: soon, ").status().message().find("steps[0].split.end"), std::string::npos);
  EXPECT_NE(split("end: 2026-12-31T00:00:00Z, ends_at: 2026-12-31T00:00:00Z, ")
                .status()
                .message()
                .find("give the end once"),
            std::string::npos);
}

TEST(JourneyDefinitionTest, OneGoalPerJourney) {
  const std::string head =
      "kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - { id: a, exit: true }\n";
  auto err = [](const std::string& y) { return ParseJourneyDefinition(y, {}).status().message(); };
  EXPECT_NE(err(head + "goal: { type: custom, met_when: { event: B } }\ngoal: { type: custom, "
                       "met_when: { event: C } }\n")
                .find("goal (line 7): one goal per journey"),
            std::string::npos);
  EXPECT_NE(err(head + "goals: [ { type: custom, met_when: { event: B } } ]\n")
                .find("one goal per journey"),
            std::string::npos);
  EXPECT_NE(err("{\"kind\": \"journey\", \"id\": \"x\", \"entry\": {\"event\": \"A\"}, \"goal\": "
                "{\"type\": \"custom\", \"met_when\": {\"event\": \"B\"}}, \"goal\": {\"type\": "
                "\"custom\", \"met_when\": {\"event\": \"C\"}}, \"steps\": [{\"id\": \"a\", "
                "\"exit\": true}]}")
                .find("one goal per journey"),
            std::string::npos);
  EXPECT_TRUE(
      ParseJourneyDefinition(head + "goal: { type: custom, met_when: { event: B } }\n", {}).ok());
}

}  // namespace
}  // namespace signpost::journeys

namespace signpost::journeys {
namespace {

const char* kPlanBranch = R"(
kind: journey
id: plans
entry: { event: Signed Up }
steps:
  - id: check
    branch:
      - { if: { traits.plan: pro }, goto: thanks }
      - { else: hello }
  - { id: hello, message: { channel: webhook, template: hello } }
  - { id: thanks, exit: true }
)";

// Issue 11: one event whose handling throws must not take the runtime (and the server) down, nor
// leave half of its effects behind: TryProcess puts the profile and the counters back, drops what
// the event added, names the journey, and the next events are handled as usual.
TEST_F(RuntimeTest, AnEventWhoseHandlingThrowsIsSetAsideWithoutHalfItsEffects) {
  Apply(kPlanBranch);
  Start("plans");
  world_.traits[7]["plan"] = "not json";  // FakeScope::TraitsAt throws on it, in the branch
  InputEvent bad;
  bad.profile = ProfileId(7);
  bad.name = "Signed Up";
  bad.timestamp = kT0 + 1;
  JourneyId journey;
  Status s = runtime_->TryProcess(bad, &fx_, &journey);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(journey, "plans");
  EXPECT_NE(s.message().find("journey plans: handling the event failed: "), std::string::npos)
      << s.message();
  EXPECT_TRUE(Recorded(7).empty());  // no Journey Entered without the rest
  EXPECT_EQ(runtime_->State(ProfileId(7)), nullptr);
  EXPECT_EQ(runtime_->StatusOf(JourneyId("plans"))->entered, 0u);
  EXPECT_EQ(runtime_->StatusOf(JourneyId("plans"))->in_progress, 0u);
  EXPECT_EQ(runtime_->StatusOf(JourneyId("plans"))->entries, 0u);

  InputEvent good = bad;
  good.profile = ProfileId(8);
  world_.traits[8]["plan"] = "\"pro\"";
  ASSERT_TRUE(runtime_->TryProcess(good, &fx_, &journey).ok());
  EXPECT_EQ(Recorded(8), (std::vector<std::string>{"Journey Entered", "Journey Exited:completed"}));
  EXPECT_EQ(runtime_->StatusOf(JourneyId("plans"))->entered, 1u);
  EXPECT_EQ(runtime_->StatusOf(JourneyId("plans"))->completed, 1u);
}

// The reference system message id, computed independently of runtime.cc's hasher: the prefix and
// the first 16 bytes of OpenSSL's one-shot HMAC-SHA256 (delivery::HmacSha256), in hex.
std::string ReferenceSystemMessageId(std::string_view key, std::string_view name) {
  return std::string(system_events::kSystemMessageIdPrefix) +
         delivery::Hex(delivery::HmacSha256(key, name).substr(0, 16));
}

// Issue 11 (defect 4): system message ids are an HMAC under the data folder's key: the same for the
// same key (crash re-processing stores them once), different under another key, not readable.
TEST_F(RuntimeTest, SystemMessageIdsAreKeyedAndDeterministic) {
  EXPECT_EQ(SystemMessageId("k1", "plans/1/8/1/entered"),
            ReferenceSystemMessageId("k1", "plans/1/8/1/entered"));
  EXPECT_EQ(SystemMessageId("k1", "plans/1/8/1/entered"),
            SystemMessageId("k1", "plans/1/8/1/entered"));
  EXPECT_NE(SystemMessageId("k1", "plans/1/8/1/entered"),
            SystemMessageId("k2", "plans/1/8/1/entered"));
  EXPECT_NE(SystemMessageId("k1", "plans/1/8/1/entered"),
            SystemMessageId("k1", "plans/1/8/2/entered"));
  const std::string id = SystemMessageId("k1", "plans/1/8/1/entered");
  EXPECT_EQ(id.rfind(system_events::kSystemMessageIdPrefix, 0), 0u);
  EXPECT_EQ(id.size(), system_events::kSystemMessageIdPrefix.size() + 32);
  EXPECT_EQ(id.find("plans"), std::string::npos);

  FakeWorld world;
  FakeEnv env(&world);
  RuntimeOptions options;
  options.system_id_key = "k1";
  Runtime keyed(&env, options);
  auto def = ParseJourneyDefinition(kPlanBranch, {});
  ASSERT_TRUE(def.ok());
  keyed.AddVersion(std::make_shared<JourneyDefinition>(*def), 1);
  Effects fx;
  ASSERT_TRUE(keyed.Start(JourneyId("plans"), kT0, &fx).ok());
  InputEvent e;
  e.profile = ProfileId(8);
  e.name = "Signed Up";
  e.timestamp = kT0 + 1;
  keyed.Process(e, &fx);
  ASSERT_FALSE(fx.events.empty());
  EXPECT_EQ(fx.events[0].event, system_events::kJourneyEntered);
  EXPECT_EQ(fx.events[0].message_id, SystemMessageId("k1", "plans/1/8/1/entered"));
}

// The runtime hashes the key once (its HMAC state reused for every event): its ids and
// SystemMessageId's are the one-shot HMAC's, for keys shorter than, exactly and longer than
// SHA-256's 64-byte block.
TEST_F(RuntimeTest, SystemMessageIdsOfTheRuntimeAreTheHmacForEveryKeyLength) {
  auto def = ParseJourneyDefinition(kPlanBranch, {});
  ASSERT_TRUE(def.ok());
  for (const std::string& key : {std::string(), std::string(63, 'a'), std::string(64, 'b'),
                                 std::string(65, 'c'), std::string(200, 'd')}) {
    FakeWorld world;
    FakeEnv env(&world);
    RuntimeOptions options;
    options.system_id_key = key;
    Runtime keyed(&env, options);
    keyed.AddVersion(std::make_shared<JourneyDefinition>(*def), 1);
    Effects fx;
    ASSERT_TRUE(keyed.Start(JourneyId("plans"), kT0, &fx).ok());
    InputEvent e;
    e.profile = ProfileId(8);
    e.name = "Signed Up";
    e.timestamp = kT0 + 1;
    keyed.Process(e, &fx);
    ASSERT_FALSE(fx.events.empty()) << key.size();
    EXPECT_EQ(fx.events[0].message_id, ReferenceSystemMessageId(key, "plans/1/8/1/entered"))
        << key.size();
    EXPECT_EQ(SystemMessageId(key, "plans/1/8/1/entered"),
              ReferenceSystemMessageId(key, "plans/1/8/1/entered"))
        << key.size();
  }
}

}  // namespace
}  // namespace signpost::journeys
