// Runtime unit tests on an in-memory environment. The rules as data (with real segments, delivery
// and the store) are the scenario files in tests/scenarios/journeys, run by src/engine.
#include "journeys/runtime.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "base/system_events.h"
#include "base/time.h"

namespace signpost::journeys {
namespace {

constexpr TimeMs kT0 = 1'790'000'000'000;  // 2026-09-21T...Z
constexpr TimeMs kHour = 3'600'000;

struct FakeWorld {
  std::map<uint64_t, std::map<std::string, std::string>> traits;  // profile -> name -> JSON
  std::map<std::string, std::set<uint64_t>> segments;
  std::map<std::string, SegmentDependencies> deps;
  std::map<std::string, std::string> winners;  // "journey/step" -> decided variant
};

class FakeScope : public ProfileScope {
 public:
  FakeScope(FakeWorld* w, ProfileId p) : w_(w), p_(p), identity_("user:u" + std::to_string(p.value())) {}
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
  Result<bool> InSegment(std::string_view name, TimeMs) override {
    return w_->segments[std::string(name)].count(p_.value()) != 0;
  }
  Result<bool> DidEvent(const analytics::EventMatcher&, TimeMs, TimeMs) override { return false; }
  Result<int> LastCompletedStep(std::string_view) override { return 0; }

 private:
  FakeWorld* w_;
  ProfileId p_;
  std::string identity_;
};

class FakeEnv : public Environment {
 public:
  explicit FakeEnv(FakeWorld* w) : w_(w) {}
  std::unique_ptr<ProfileScope> Open(ProfileId p) override { return std::make_unique<FakeScope>(w_, p); }
  SegmentDependencies DependenciesOf(std::string_view s) override { return w_->deps[std::string(s)]; }
  std::optional<std::string> SplitWinner(std::string_view j, std::string_view step, TimeMs) override {
    auto it = w_->winners.find(std::string(j) + "/" + std::string(step));
    if (it == w_->winners.end()) return std::nullopt;
    return it->second;
  }
  Result<std::vector<ProfileId>> Members(std::string_view s, TimeMs) override {
    std::vector<ProfileId> out;
    for (uint64_t p : w_->segments[std::string(s)]) out.push_back(ProfileId(p));
    return out;
  }

 private:
  FakeWorld* w_;
};

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override { runtime_ = std::make_unique<Runtime>(&env_, RuntimeOptions{2, 1000}); }

  void Apply(const std::string& yaml, uint64_t version = 1) {
    auto def = ParseJourneyDefinition(yaml, {});
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    runtime_->AddVersion(std::make_shared<JourneyDefinition>(*def), version);
  }
  void Start(const std::string& id, TimeMs at = kT0) { ASSERT_TRUE(runtime_->Start(id, at, &fx_).ok()); }
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
    return runtime_->StatusOf(journey)->steps.at(step);
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
  w.traits[p] = {{"email", "\"a@x.test\""}, {"phone", "\"+1555\""},
                 {"consent.email", "true"}, {"consent.sms", "true"}};
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
  EXPECT_EQ(runtime_->StatusOf("cart")->in_progress, 0u);
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
  EXPECT_EQ(runtime_->StatusOf("cart")->entries, 0u);
  Send(1, "Cart Abandoned", kT0 + 1000, R"({"value": 30, "cart_id": "a"})");
  runtime_->AdvanceTo(kT0 + 4 * 24 * kHour, &fx_);  // timed out, nudged, completed
  Send(1, "Cart Abandoned", kT0 + 5 * 24 * kHour, R"({"value": 30, "cart_id": "b"})");  // < 7d
  EXPECT_EQ(Step("cart", "entry").exits.at("reentry_blocked"), 1u);
  Send(1, "Cart Abandoned", kT0 + 1000 + 7 * 24 * kHour, R"({"value": 30, "cart_id": "c"})");
  EXPECT_EQ(runtime_->StatusOf("cart")->entries, 2u);
  EXPECT_EQ(runtime_->StatusOf("cart")->entered, 1u);  // unique profiles
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
    if (e.event == system_events::kJourneyEntered && e.properties.find("\"holdout\":true") != std::string::npos)
      ++holdout;
  }
  EXPECT_GT(holdout, 60);
  EXPECT_LT(holdout, 140);
  EXPECT_EQ(fx_.messages.size(), static_cast<size_t>(200 - holdout));
  EXPECT_EQ(runtime_->StatusOf("h")->completed, 200u);
  EXPECT_EQ(runtime_->StatusOf("h")->entered + runtime_->StatusOf("h")->entered_holdout, 200u);
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
  runtime_->Upgrade("e", 2, &fx_);
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
  EXPECT_EQ(Recorded(2), (std::vector<std::string>{"Journey Entered", "Journey Exited:journey_completed"}));
  EXPECT_EQ(runtime_->StatusOf("se")->state, "completed");
  EXPECT_TRUE(Recorded(3).empty());
}

TEST_F(RuntimeTest, StateSurvivesARoundTripAndTimersFireOnce) {
  Apply(kCart);
  Start("cart");
  Consent(world_, 1);
  Send(1, "Cart Abandoned", kT0, R"({"value": 50, "cart_id": "c1"})");
  ProfileState saved = ProfileStateFromJson(ToJson(*runtime_->State(ProfileId(1))));
  JourneyStatus status = JourneyStatusFromJson(ToJson(*runtime_->StatusOf("cart")));
  Runtime restored(&env_, RuntimeOptions{2, 1000});
  auto def = ParseJourneyDefinition(kCart, {});
  restored.AddVersion(std::make_shared<JourneyDefinition>(*def), 1);
  restored.RestoreStatus("cart", status);
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
      if (p >= from && p < to) ++n[nlohmann::json::parse(e.properties)["variant"].get<std::string>()];
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
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - { id: a, wait: { for: 1h }, next: nope }\n")
                .find("no step has id 'nope'"),
            std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - { id: a, wait: { for: soon } }\n")
                .find("steps[0].wait.for"),
            std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n"
                "  - { id: a, update: { traits: { x: 1 } } }\n  - { id: b, update: { traits: { x: 2 } }, next: a }\n")
                .find("has no wait"),
            std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: Journey Entered }\nsteps:\n  - { id: a, exit: true }\n")
                .find("recorded by signpost itself"),
            std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - id: s\n    split: { variants: [ {id: a, weight: 95}, {id: b, weight: 5} ] }\n")
                .find("10% to 90%"),
            std::string::npos);
  EXPECT_NE(err("kind: journey\nid: x\nentry: { event: A }\nsteps:\n  - { id: a, wait: { for: 1h } }\n  - { id: a, exit: true }\n")
                .find("steps[1].id (line 6)"),
            std::string::npos);
}

}  // namespace
}  // namespace signpost::journeys
