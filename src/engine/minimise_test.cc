// Data minimisation (issue 13, item 5): each rule of the `privacy` settings on its own (allow and
// deny lists per source, sensitive properties hashed with a keyed hash or dropped, IP truncation),
// the section read back, and through a real engine: HTTP ingest and import minimised before they
// are stored, and dead letters' raw bodies emptied after their period on the ManualClock.
#include "engine/minimise.h"

#include <gtest/gtest.h>

#include <fstream>

#include "engine/settings.h"
#include "engine/test_support.h"

namespace signpost {
namespace {

using engine::Minimiser;
using engine::PrivacySettings;
using Json = nlohmann::json;

PrivacySettings Privacy(std::string_view yaml) {
  auto s = engine::ParseSettings("kind: settings\nid: global\nprivacy:\n" + std::string(yaml));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? s->privacy : PrivacySettings{};
}

Event WithScopes(Json properties, Json traits = Json::object(), Json context = Json::object()) {
  Event e;
  e.user_id = "u1";
  e.event = "Order Completed";
  e.message_id = "m1";
  e.properties = properties.dump();
  e.traits = traits.dump();
  e.context = context.dump();
  return e;
}

Event Minimised(const PrivacySettings& p, Event e, std::string secret = "k1") {
  Minimiser m(std::move(secret), p, nullptr);
  std::vector<Event> events{std::move(e)};
  m.Apply(events);
  return events.front();
}

TEST(MinimiseTest, AllowListKeepsOnlyTheNamedPathsOfTheScopesItNames) {
  auto p = Privacy(
      "  sources:\n    - source: '*'\n      allow: [properties.plan, "
      "properties.address.city]\n");
  Event e = Minimised(p, WithScopes({{"plan", "pro"},
                                     {"card", "4111"},
                                     {"address", {{"city", "Lyon"}, {"street", "1 rue X"}}}},
                                    {{"email", "a@b.c"}}));
  EXPECT_EQ(Json::parse(e.properties), Json::parse(R"({"plan":"pro","address":{"city":"Lyon"}})"));
  EXPECT_EQ(Json::parse(e.traits), Json::parse(R"({"email":"a@b.c"})"));  // not named: whole
}

TEST(MinimiseTest, DenyListRemovesPathsOnlyForItsSource) {
  auto p = Privacy(
      "  sources:\n    - source: analytics.js\n      deny: [properties.card, "
      "traits.address.street]\n");
  const Json props = {{"plan", "pro"}, {"card", "4111"}};
  const Json traits = {{"address", {{"city", "Lyon"}, {"street", "1 rue X"}}}};
  Event web = Minimised(p, WithScopes(props, traits, {{"library", {{"name", "analytics.js"}}}}));
  EXPECT_EQ(Json::parse(web.properties), Json::parse(R"({"plan":"pro"})"));
  EXPECT_EQ(Json::parse(web.traits), Json::parse(R"({"address":{"city":"Lyon"}})"));
  Event server =
      Minimised(p, WithScopes(props, traits, {{"library", {{"name", "analytics-node"}}}}));
  EXPECT_EQ(Json::parse(server.properties), props);
  EXPECT_EQ(Json::parse(server.traits), traits);
}

TEST(MinimiseTest, SensitiveHashIsStableKeyedAndKeepsEquality) {
  auto p = Privacy(
      "  sensitive:\n    - path: traits.email\n      action: hash\n    - "
      "properties.phone\n");
  Event a = Minimised(p, WithScopes({{"phone", "+33 6 12"}}, {{"email", "ada@example.com"}}));
  Event b = Minimised(p, WithScopes({{"phone", "+33 6 12"}}, {{"email", "ada@example.com"}}));
  Event other_key =
      Minimised(p, WithScopes({{"phone", "+33 6 12"}}, {{"email", "ada@example.com"}}), "k2");
  Event other_value = Minimised(p, WithScopes({}, {{"email", "bob@example.com"}}));
  const std::string hashed = Json::parse(a.traits)["email"];
  EXPECT_EQ(hashed, engine::KeyedHash("k1", "ada@example.com"));
  EXPECT_EQ(hashed.rfind("hmac:", 0), 0u);
  EXPECT_EQ(hashed.size(), 5u + 32u);
  EXPECT_EQ(a.traits, b.traits);          // stable: segments and funnels can compare
  EXPECT_NE(a.traits, other_key.traits);  // keyed: another folder, another hash
  EXPECT_NE(a.traits, other_value.traits);
  EXPECT_EQ(a.properties.find("+33"), std::string::npos);
  EXPECT_EQ(a.traits.find("ada@"), std::string::npos);
  // Hashing an already hashed value changes nothing (a re-import of minimised data).
  Event again = Minimised(p, a);
  EXPECT_EQ(again.traits, a.traits);
}

TEST(MinimiseTest, SensitiveDropRemovesTheProperty) {
  auto p = Privacy("  sensitive:\n    - path: properties.ssn\n      action: drop\n");
  Event e = Minimised(p, WithScopes({{"ssn", "123-45"}, {"total", 12.5}}));
  EXPECT_EQ(Json::parse(e.properties), Json::parse(R"({"total":12.5})"));
}

TEST(MinimiseTest, IpIsTruncatedByDefaultV4To24AndV6To48) {
  EXPECT_EQ(engine::TruncateIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(engine::TruncateIp("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::");
  EXPECT_EQ(engine::TruncateIp("::ffff:198.51.100.9"), "198.51.100.0");
  EXPECT_EQ(engine::TruncateIp("not an ip"), "");
  const PrivacySettings defaults;
  Event v4 = Minimised(defaults, WithScopes({}, {}, {{"ip", "203.0.113.77"}, {"locale", "fr"}}));
  EXPECT_EQ(Json::parse(v4.context), Json::parse(R"({"ip":"203.0.113.0","locale":"fr"})"));
  Event v6 = Minimised(defaults, WithScopes({}, {}, {{"ip", "2001:db8:85a3:8d3::1"}}));
  EXPECT_EQ(Json::parse(v6.context)["ip"], "2001:db8:85a3::");
  Event junk = Minimised(defaults, WithScopes({}, {}, {{"ip", "somewhere"}}));
  EXPECT_EQ(Json::parse(junk.context), Json::object());  // not an address: not kept
}

TEST(MinimiseTest, IpCanBeKeptOrDropped) {
  Event kept = Minimised(Privacy("  ip: keep\n"), WithScopes({}, {}, {{"ip", "203.0.113.77"}}));
  EXPECT_EQ(Json::parse(kept.context)["ip"], "203.0.113.77");
  Event dropped = Minimised(Privacy("  ip: drop\n"), WithScopes({}, {}, {{"ip", "203.0.113.77"}}));
  EXPECT_EQ(Json::parse(dropped.context), Json::object());
}

TEST(MinimiseTest, TheEnginesOwnEventsAreLeftAlone) {
  auto p = Privacy("  sources:\n    - source: '*'\n      deny: [properties.journey]\n");
  Event e = WithScopes({{"journey", "welcome"}});
  e.message_id = "sp:abc";
  EXPECT_EQ(Minimised(p, e).properties, e.properties);
}

TEST(MinimiseTest, UntouchedScopesKeepTheirTextByteForByte) {
  auto p = Privacy("  sensitive: [traits.email]\n");
  Event e = WithScopes({});
  e.properties = R"({"b":1,"a":1.5,"c":"é"})";
  EXPECT_EQ(Minimised(p, e).properties, e.properties);
}

TEST(MinimiseSettingsTest, TheSectionReadsBackAndBadFieldsAreNamed) {
  auto s = engine::ParseSettings(R"(kind: settings
id: global
privacy:
  sources:
    - source: analytics.js
      allow: [properties.plan]
      deny: [properties.card]
  sensitive:
    - path: traits.email
    - path: properties.ssn
      action: drop
  ip: keep
  dead_letters:
    raw_body_for: 7d
consent:
  default: denied
  categories: { Analytics: granted }
)");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->privacy.dead_letter_raw_body_for, 7 * kDayMs);
  EXPECT_FALSE(s->consent.granted_by_default);
  EXPECT_TRUE(s->consent.DefaultFor("analytics"));  // categories are lower case
  auto back = engine::ParseSettings(engine::SettingsBody(*s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->privacy, s->privacy);
  EXPECT_EQ(back->consent, s->consent);

  const std::pair<std::string, std::string> bad[] = {
      {"privacy:\n  sensitive:\n    - path: traits.email\n      action: blur\n",
       "settings.privacy.sensitive[0].action"},
      {"privacy:\n  sources:\n    - source: x\n      deny: [props.card]\n",
       "settings.privacy.sources[0].deny[0]"},
      {"privacy:\n  ip: mask\n", "settings.privacy.ip"},
      {"privacy:\n  dead_letters: { raw_body_for: soon }\n",
       "settings.privacy.dead_letters.raw_body_for"},
      {"privacy:\n  colour: red\n", "settings.privacy.colour"},
      {"consent:\n  default: maybe\n", "settings.consent.default"},
  };
  for (const auto& [yaml, field] : bad) {
    auto r = engine::ParseSettings("kind: settings\nid: global\n" + yaml);
    ASSERT_FALSE(r.ok()) << yaml;
    EXPECT_EQ(r.status().message().rfind(field + ":", 0), 0u) << r.status().message();
  }
}

// ---- through the engine
// --------------------------------------------------------------------------

class MinimiseEngineTest : public EngineFixture<> {};

TEST_F(MinimiseEngineTest, HttpIngestAndImportAreMinimisedBeforeTheyAreStored) {
  Apply(R"(kind: settings
id: global
privacy:
  sources:
    - source: analytics.js
      deny: [properties.card]
  sensitive:
    - path: traits.email
)");
  const std::string key = WriteKey();
  auto r = engine_->IngestHttp(
      "batch",
      R"({"batch":[{"type":"identify","userId":"u1","messageId":"i1","traits":{"email":"ada@example.com","plan":"pro"},"context":{"ip":"203.0.113.77","library":{"name":"analytics.js"}}},
{"type":"track","userId":"u1","event":"Paid","messageId":"t1","properties":{"card":"4111","total":3},"context":{"library":{"name":"analytics.js"}}}]})",
      key);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 2u);
  const std::string file = (dir_ / "in.ndjson").string();
  std::ofstream(file)
      << R"({"type":"identify","userId":"u2","messageId":"i2","traits":{"email":"bob@example.com"},"context":{"ip":"2001:db8:85a3:8d3::1"}})"
      << "\n";
  ASSERT_TRUE(engine_->Import(file, ImportFormat::kNdjson, nullptr).ok());

  auto u1 = engine_->ProfileEvents("u1", 10);
  ASSERT_TRUE(u1.ok());
  std::string stored;
  for (const Event& e : u1->events) stored += e.properties + e.traits + e.context;
  EXPECT_EQ(stored.find("4111"), std::string::npos);
  EXPECT_EQ(stored.find("ada@example.com"), std::string::npos);
  EXPECT_EQ(stored.find("203.0.113.77"), std::string::npos);
  EXPECT_NE(stored.find("203.0.113.0"), std::string::npos);
  EXPECT_NE(stored.find("\"total\":3"), std::string::npos);
  auto profile = engine_->Profile("u1");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->traits["email"].rfind("\"hmac:", 0), 0u) << profile->traits["email"];
  EXPECT_EQ(profile->traits["plan"], "\"pro\"");

  auto u2 = engine_->ProfileEvents("u2", 10);
  ASSERT_TRUE(u2.ok());
  ASSERT_EQ(u2->events.size(), 1u);
  EXPECT_EQ(u2->events[0].traits.find("bob@"), std::string::npos);
  EXPECT_EQ(Json::parse(u2->events[0].context)["ip"], "2001:db8:85a3::");

  // The hash is keyed by the data folder's secret: the same after a restart.
  const std::string before = profile->traits["email"];
  Reopen();
  Ingest({Identify("u3", clock_.NowMs(), {{"email", "ada@example.com"}})});
  auto u3 = engine_->Profile("u3");
  ASSERT_TRUE(u3.ok());
  EXPECT_EQ(u3->traits["email"], before);
}

TEST_F(MinimiseEngineTest, DeadLettersLoseTheirRawBodyAfterThePeriod) {
  Apply("kind: settings\nid: global\nprivacy:\n  dead_letters:\n    raw_body_for: 7d\n");
  const std::string key = WriteKey();
  const std::string bad = R"({"type":"track","userId":"secret-user-77","event":""})";
  ASSERT_TRUE(engine_->IngestHttp("batch", R"({"batch":[)" + bad + "]}", key).ok());
  auto list = engine_->ListDeadLetters(10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->dead_letters.size(), 1u);
  EXPECT_NE(list->dead_letters[0].rejection.raw.find("secret-user-77"), std::string::npos);

  clock_.Advance(7 * kDayMs - kSecondMs);  // still inside the period
  list = engine_->ListDeadLetters(10);
  ASSERT_TRUE(list.ok());
  EXPECT_FALSE(list->dead_letters[0].rejection.raw.empty());

  clock_.Advance(kSecondMs);  // the period is over: the record stays, the body goes
  list = engine_->ListDeadLetters(10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->dead_letters.size(), 1u);
  const DeadLetterInfo& d = list->dead_letters[0];
  EXPECT_TRUE(d.rejection.raw.empty());
  EXPECT_EQ(d.rejection.location, "batch[0]");
  EXPECT_EQ(d.rejection.field, "event");
  EXPECT_FALSE(d.rejection.reason.empty());
  // Gone from the store too, not only hidden: a restart reads an empty body.
  Reopen();
  clock_.Advance(-kDayMs);  // even with the clock set back
  list = engine_->ListDeadLetters(10);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->dead_letters[0].rejection.raw.empty());
  // Re-importing it cannot bring the body back either: it stays a dead letter.
  auto again = engine_->ReimportDeadLetters({});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 0u);
}

}  // namespace
}  // namespace signpost
