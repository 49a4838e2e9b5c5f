// The one event syntax and the shared time syntax of the scenario files: what they read, and the
// errors a bad file gets (each naming the file, the line and the field).
#include "tests/support/scenario_events.h"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "base/time.h"
#include "tests/support/scenario.h"

namespace signpost::scenario {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const TimeMs kBase = *ParseIso8601("2024-01-03T00:00:00Z");

TimeMs Iso(const char* text) { return *ParseIso8601(text); }

Result<ScenarioEvent> One(const std::string& yaml) {
  return ParseEvent(YAML::Load(yaml), kBase, "f.yaml");
}

TEST(ScenarioTime, ReadsTheThreeForms) {
  EXPECT_EQ(*ParseTime("2024-01-05T10:00:00Z", kBase), Iso("2024-01-05T10:00:00Z"));
  EXPECT_EQ(*ParseTime("2024-01-05 10:00", kBase), Iso("2024-01-05T10:00:00Z"));
  EXPECT_EQ(*ParseTime("2024-01-01T01:00:00.001Z", kBase), Iso("2024-01-01T01:00:00.001Z"));
  EXPECT_EQ(*ParseTime("10:30", kBase), Iso("2024-01-03T10:30:00Z"));
  EXPECT_EQ(*ParseTime("23:59:59", kBase), Iso("2024-01-03T23:59:59Z"));
  EXPECT_EQ(*ParseTime("+0s", kBase), kBase);
  EXPECT_EQ(*ParseTime("+1d2h", kBase), Iso("2024-01-04T02:00:00Z"));
  // HH:MM is on the base's day even when the base is not at midnight.
  EXPECT_EQ(*ParseTime("01:00", Iso("2024-01-03T06:00:00Z")), Iso("2024-01-03T01:00:00Z"));
}

TEST(ScenarioTime, RefusesOtherForms) {
  for (const char* bad : {"", "10", "24:00", "10:60", "1:30", "01-05 10:00", "+", "+3x", "soon"}) {
    auto t = ParseTime(bad, kBase);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_THAT(t.status().message(), HasSubstr("HH:MM[:SS] on the base day")) << bad;
  }
}

TEST(ScenarioTime, ARunnersBadTimeFailsItsTest) {
  EXPECT_EQ(TimeOrFail("+1h", kBase), kBase + kHourMs);
  TimeMs got = 0;
  EXPECT_NONFATAL_FAILURE(got = TimeOrFail("soon", kBase), "'soon' is not a time");
  EXPECT_EQ(got, kBase);
}

TEST(ScenarioTime, BaseDefaultsTo2024) {
  EXPECT_EQ(*BaseOf(YAML::Load("{}")), Iso("2024-01-01T00:00:00Z"));
  EXPECT_EQ(*BaseOf(YAML::Load("{ base: 2024-01-03T00:00:00Z }")), kBase);
  EXPECT_EQ(*BaseOf(YAML::Load("{ start: 2026-11-01T00:00:00Z }"), "start"),
            Iso("2026-11-01T00:00:00Z"));
  EXPECT_FALSE(BaseOf(YAML::Load("{ base: later }")).ok());
}

TEST(ScenarioEvents, ReadsATrack) {
  auto e = One(R"({ at: "10:00", user: "1", track: Order Completed, properties: { total: 30,
                    code: "007", ok: true }, context: { ip: 1.2.3.4 }, id: m1 })");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->line, 1);
  EXPECT_EQ(e->at, Iso("2024-01-03T10:00:00Z"));
  EXPECT_EQ(e->user, "1");
  EXPECT_EQ(e->anon, "");
  EXPECT_EQ(e->type, EventType::kTrack);
  EXPECT_EQ(e->event, "Order Completed");
  EXPECT_EQ(e->properties, json::parse(R"({"total":30,"code":"007","ok":true})"));
  EXPECT_EQ(e->context, json::parse(R"({"ip":"1.2.3.4"})"));
  EXPECT_TRUE(e->traits.is_null());
  EXPECT_EQ(e->id, "m1");
  EXPECT_EQ(e->Identity(), "user:1");

  const Event ev = e->ToEvent();
  EXPECT_EQ(ev.type, EventType::kTrack);
  EXPECT_EQ(ev.user_id, "1");
  EXPECT_EQ(ev.event, "Order Completed");
  EXPECT_EQ(ev.timestamp, e->at);
  EXPECT_EQ(ev.received_at, e->at);
  EXPECT_EQ(ev.message_id, "m1");
  EXPECT_EQ(ev.properties, R"({"code":"007","ok":true,"total":30})");
  EXPECT_EQ(ev.traits, "{}");

  EXPECT_EQ(e->ToSegmentJson(), json::parse(R"({"type":"track","userId":"1",
      "event":"Order Completed","timestamp":"2024-01-03T10:00:00.000Z","messageId":"m1",
      "properties":{"total":30,"code":"007","ok":true},"context":{"ip":"1.2.3.4"}})"));
}

TEST(ScenarioEvents, ReadsAnIdentifyThatLinksTwoIdentities) {
  auto e = One("{ at: +1h, user: u1, anon: phone, identify: { plan: pro } }");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->type, EventType::kIdentify);
  EXPECT_EQ(e->at, kBase + kHourMs);
  EXPECT_EQ(e->anon, "phone");
  EXPECT_EQ(e->traits, json::parse(R"({"plan":"pro"})"));
  EXPECT_EQ(e->ToEvent().traits, R"({"plan":"pro"})");
  EXPECT_EQ(e->ToSegmentJson()["anonymousId"], "phone");

  auto anon = One("{ at: +1h, anon: phone, identify: {} }");
  ASSERT_TRUE(anon.ok()) << anon.status().ToString();
  EXPECT_EQ(anon->Identity(), "anon:phone");
  EXPECT_FALSE(anon->ToSegmentJson().contains("traits"));  // none written
}

TEST(ScenarioEvents, ReadsAListAndSkipsNothing) {
  auto list = ParseEvents(YAML::Load(R"(
- { at: "00:00", user: 1, track: A }
- { at: "00:10", user: 2, track: B }
)"),
                          kBase, "f.yaml");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].line, 3);
  EXPECT_EQ((*list)[1].event, "B");
  EXPECT_TRUE(ParseEvents(YAML::Node(), kBase, "f.yaml")->empty());
  EXPECT_TRUE(IsEvent(YAML::Load("{ at: x, identify: {} }")));
  EXPECT_FALSE(IsEvent(YAML::Load("{ at: x, restart: true }")));
}

TEST(ScenarioEvents, BadEventsNameTheFileTheLineAndTheField) {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const Case cases[] = {
      {"\n\n- { at: \"25:00\", user: 1, track: A }",
       "f.yaml:3: event field 'at': '25:00' is not a time"},
      {"- { user: 1, track: A }", "f.yaml:1: event field 'at': missing"},
      {"- { at: +1h, track: A }",
       "f.yaml:1: event field 'user': missing: an event needs a user or an anon"},
      {"- { at: +1h, user: 1 }",
       "f.yaml:1: event field 'track': missing: write `track: <event name>`"},
      {"- { at: +1h, user: 1, track: A, identify: {} }",
       "field 'identify': an event is a track or an identify, not both"},
      {"- { at: +1h, profile: 1, track: A }",
       "f.yaml:1: event field 'profile': unknown (an event has at, user"},
      {"- { at: +1h, user: 1, track: A, properties: [a] }",
       "event field 'properties': must be a map"},
      {"- { at: +1h, user: 1, identify: plan }", "event field 'identify': must be a map"},
      {"- { at: +1h, user: [1], track: A }", "event field 'user': must be a non-empty text"},
      {"- { at: +1h, user: 1, track: }", "event field 'track': must be a non-empty text"},
      {"- [1, \"01:00\", A]",
       "f.yaml:1: event: must be a map of at, user, anon, track or identify"},
  };
  for (const auto& c : cases) {
    auto r = ParseEvents(YAML::Load(c.yaml), kBase, "f.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.error)) << c.yaml;
  }
  auto not_a_list = ParseEvents(YAML::Load("{ at: +1h }"), kBase, "f.yaml");
  ASSERT_FALSE(not_a_list.ok());
  EXPECT_THAT(not_a_list.status().message(), HasSubstr("f.yaml:1: events must be a list"));
}

TEST(ScenarioJson, PlainScalarsAreTypedQuotedOnesAreText) {
  EXPECT_EQ(
      ToJson(YAML::Load(R"({ a: 1, b: 1.5, c: true, d: null, e: "1", f: x, g: [1, "2"], h: })")),
      json::parse(R"({"a":1,"b":1.5,"c":true,"d":null,"e":"1","f":"x","g":[1,"2"],"h":null})"));
}

TEST(ScenarioFiles, ListsEveryFormatSortedAndNamesTests) {
  for (const char* format : {"funnels", "goals", "segments", "journeys"}) {
    const auto files = Files(format);
    EXPECT_FALSE(files.empty()) << format;
    EXPECT_TRUE(std::is_sorted(files.begin(), files.end()));
  }
  EXPECT_TRUE(Files("no-such-format").empty());
  ::testing::TestParamInfo<std::string> info("05_window-bound.yaml", 0);
  EXPECT_EQ(FileTestName()(info), "05_window_bound");
}

}  // namespace
}  // namespace signpost::scenario
