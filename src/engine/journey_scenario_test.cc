// Runs the journey scenarios in tests/scenarios/journeys/*.yaml: definitions, a timeline of events
// and clock moves on a ManualClock, and the expected step analytics, system events and goal report.
// Each scenario runs live (events through the HTTP ingest path, the runtime on the engine's clock)
// and, when it says `replay: true`, again through `replay` on the same stored events, expecting the
// same step counts and goal report. One test per file, on an EngineFixture. The format is in
// tests/scenarios/journeys/README.md; the event syntax and the shared machinery are tests/support/.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/system_events.h"
#include "base/time.h"
#include "engine/test_support.h"
#include "signpost/engine.h"
#include "tests/support/scenario.h"
#include "tests/support/scenario_events.h"
#include "wire/wire.h"

namespace signpost {
namespace {

using nlohmann::json;

// Splits a multi-document YAML text on lines that are exactly "---".
std::vector<std::string> Documents(const std::string& text) {
  std::vector<std::string> docs;
  std::istringstream in(text);
  std::string line, cur;
  while (std::getline(in, line)) {
    if (line == "---") {
      if (cur.find_first_not_of(" \n") != std::string::npos) docs.push_back(cur);
      cur.clear();
    } else {
      cur += line + "\n";
    }
  }
  if (cur.find_first_not_of(" \n") != std::string::npos) docs.push_back(cur);
  return docs;
}

// "Journey Exited:completed", "Message Sent@reminder", "Journey Entered", "Goal Attained",
// "Message Sent@nudge[sms]" (channel: auto), "Message Sent@nudge[email control]".
std::string Describe(const json& e) {
  std::string out = e.value("event", "");
  json p = e.value("properties", json::object());
  if (p.contains("reason")) out += ":" + p["reason"].get<std::string>();
  if (p.contains("step") && out.rfind("Journey Exited", 0) != 0)
    out += "@" + p["step"].get<std::string>();
  if (p.contains("variant")) out += "=" + p["variant"].get<std::string>();
  if (p.value("auto", false)) {  // a `channel: auto` send: the chosen channel, control or not
    out += "[" + p.value("channel", "") + (p.value("control", false) ? " control" : "") + "]";
  }
  if (p.value("holdout", false)) out += " (holdout)";
  return out;
}

// The steps array of a journey report as {step id: counts}.
json StepsById(const json& steps) {
  json out = json::object();
  for (const auto& s : steps) out[s["id"].get<std::string>()] = s;
  return out;
}

// The clock starts at the file's `start`, so the engine opens once the file is read. Every file
// runs with the journeys runtime in 1, 2 and 8 partitions (src/journeys/README.md, "Partitions"):
// the answers must not depend on it.
class JourneyScenarioTest : public EngineFixture<::testing::TestWithParam<std::string>> {
 protected:
  bool OpenAtSetUp() const override { return false; }
  virtual uint32_t Partitions() const { return 1; }
  EngineOptions Options() const override {
    EngineOptions o = EngineFixture::Options();
    o.journey_partitions = Partitions();
    return o;
  }
  // Runs the file GetParam() of tests/scenarios/<folder>/.
  void Run(const std::string& folder);
};
class JourneyScenario2Test : public JourneyScenarioTest {
  uint32_t Partitions() const override { return 2; }
};
class JourneyScenario8Test : public JourneyScenarioTest {
  uint32_t Partitions() const override { return 8; }
};

// The privacy scenarios (tests/scenarios/privacy/): the same format, plus `expect.funnels` and
// `expect.trait_history`.
class PrivacyScenarioTest : public JourneyScenarioTest {};
class PrivacyScenario8Test : public JourneyScenarioTest {
  uint32_t Partitions() const override { return 8; }
};

TEST_P(JourneyScenarioTest, Runs) { Run("journeys"); }
TEST_P(JourneyScenario2Test, Runs) { Run("journeys"); }
TEST_P(JourneyScenario8Test, Runs) { Run("journeys"); }
TEST_P(PrivacyScenarioTest, Runs) { Run("privacy"); }
TEST_P(PrivacyScenario8Test, Runs) { Run("privacy"); }

void JourneyScenarioTest::Run(const std::string& folder) {
  const YAML::Node doc = scenario::Load(folder, GetParam());
  const std::string file = folder + "/" + GetParam();
  auto start_or = scenario::BaseOf(doc, "start");
  ASSERT_TRUE(doc["start"] && start_or.ok()) << file << ": `start` must be a time";
  clock_.Set(*start_or);
  ASSERT_NO_FATAL_FAILURE(Open());
  const std::string key = WriteKey();

  auto apply = [&](const std::string& text) {
    for (const auto& d : Documents(text)) {
      auto r = engine_->Apply(d, "scenario");
      ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << d;
    }
  };
  apply(doc["definitions"].Scalar());
  if (doc["expect_error"]) {
    auto r = engine_->Apply(doc["apply_bad"].Scalar(), "");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(doc["expect_error"].Scalar()), std::string::npos)
        << r.status().message();
    return;
  }
  for (const auto& id : doc["live"]) {
    auto r = engine_->SetJourneyState(id.Scalar(), "live");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  const TimeMs start = clock_.NowMs();
  for (const auto& step : doc["timeline"]) {
    json item = scenario::ToJson(step);
    // Timers due before the item fire first; those due exactly at its time fire after it (the
    // runtime's tie rule: an awaited event exactly at a wait's timeout arrives in time).
    auto at_or = scenario::ParseTime(step["at"].Scalar(), start);
    ASSERT_TRUE(at_or.ok()) << scenario::Where(file, step) << ": " << at_or.status().message();
    const TimeMs at = *at_or;
    if (at - 1 > clock_.NowMs()) clock_.Set(at - 1);
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    clock_.Set(at);
    if (scenario::IsEvent(step)) {
      auto e = scenario::ParseEvent(step, start, file);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      if (e->type == EventType::kTrack && system_events::IsReserved(e->event)) {
        // What the engine itself records (an open from the tracking endpoint): a write key may
        // not send these (issue 11), so it enters the way the engine's own events do, unparsed.
        Event ev = e->ToEvent();
        if (ev.message_id.empty()) {
          ev.message_id = "scenario-" + step["at"].Scalar() + "-" + e->Identity();
        }
        auto r = engine_->IngestEvents({ev});
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      } else {
        auto r = engine_->IngestHttp(EventTypeName(e->type), e->ToSegmentJson().dump(), key);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
    }
    if (item.contains("apply")) apply(item["apply"].get<std::string>());
    if (item.contains("state")) {
      auto r = engine_->SetJourneyState(item["state"]["journey"].get<std::string>(),
                                        item["state"]["state"].get<std::string>());
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    if (item.contains("restart") && item["restart"].get<bool>()) {
      ASSERT_NO_FATAL_FAILURE(Reopen());
    }
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  }
  TimeMs end = clock_.NowMs();
  if (doc["end"]) {
    auto end_or = scenario::ParseTime(doc["end"].Scalar(), start);
    ASSERT_TRUE(end_or.ok()) << file << ": `end`: " << end_or.status().message();
    end = *end_or;
  }
  clock_.Set(end);
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());

  json expect = scenario::ToJson(doc["expect"]);
  const json want_journeys = expect.value("journeys", json::object());
  const json want_events = expect.value("events", json::object());
  const json want_goals = expect.value("goals", json::object());
  json live_reports = json::object();
  for (const auto& [id, want] : want_journeys.items()) {
    auto r = engine_->Journey(id);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    json got = wire::ToJson(*r);  // the scenario files expect the journey as the API writes it
    got["steps"] = StepsById(got["steps"]);
    live_reports[id] = got;
    scenario::ExpectSubset(want, got, "journeys." + id, scenario::Lists::kExact);
  }
  for (const auto& [user, want] : want_events.items()) {
    auto r = engine_->ProfileEvents(user, 0);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> got;
    for (const auto& e : EventsJson(*r)) {
      if (e.value("type", "") == "track" && system_events::IsReserved(e.value("event", ""))) {
        if (e.value("event", "") == system_events::kMessageDelivered) continue;
        got.push_back(Describe(e));
      }
    }
    EXPECT_EQ(want.get<std::vector<std::string>>(), got) << "events of " << user;
  }
  // privacy: funnel reports (`consent:` funnels) and trait histories ("name=value@time").
  const json want_funnels = expect.value("funnels", json::object());
  const json want_traits = expect.value("trait_history", json::object());
  for (const auto& [id, want] : want_funnels.items()) {
    FunnelQuery q;
    q.id = FunnelId(id);
    auto r = engine_->Funnel(q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    scenario::ExpectSubset(want, wire::ToJson(*r), "funnels." + id, scenario::Lists::kExact);
  }
  for (const auto& [user, want] : want_traits.items()) {
    auto r = engine_->Profile(user);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> got;
    for (const ProfileTraitChange& c : r->trait_history)
      got.push_back(c.trait + "=" + c.value_json + "@" + FormatIso8601(c.timestamp));
    EXPECT_EQ(want.get<std::vector<std::string>>(), got) << "trait history of " << user;
  }
  // Step-aware messages: the outbox delivered on the clock's end, each line of a file channel's
  // file as "to: subject", compared sorted (delivery workers may write profiles in any order).
  const json want_delivered = expect.value("delivered", json::object());
  for (const auto& [path, want] : want_delivered.items()) {
    ASSERT_TRUE(engine_->DeliverDue().ok());
    std::vector<std::string> got, wanted = want.get<std::vector<std::string>>();
    std::ifstream in(dir_ / path);
    for (std::string line; std::getline(in, line);) {
      json m = json::parse(line, nullptr, false);
      got.push_back(m.value("to", "") + ": " + m.value("subject", ""));
    }
    std::sort(got.begin(), got.end());
    std::sort(wanted.begin(), wanted.end());
    EXPECT_EQ(wanted, got) << "delivered to " << path;
  }
  json live_goals = json::object();
  for (const auto& [id, want] : want_goals.items()) {
    auto r = engine_->GoalReport(id, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    live_goals[id] = wire::ToJson(*r);  // the scenario files expect the report as the API writes it
    scenario::ExpectSubset(want, live_goals[id], "goals." + id, scenario::Lists::kExact);
  }
  const std::string replay_mode = doc["replay"] ? doc["replay"].Scalar() : "false";
  if (replay_mode == "true") {
    // The same stored events through replay: the same step counts and goal report.
    for (const auto& [id, want] : want_journeys.items()) {
      auto r = engine_->Replay({.journey = id, .from = start, .to = end});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      const json replay = wire::ToJson(*r);
      json steps = StepsById(replay["steps"]);
      for (const auto& [step, counts] : live_reports[id]["steps"].items()) {
        for (const char* k : {"inflow", "passed_on", "in_progress", "exits"})
          EXPECT_EQ(counts[k], steps[step][k])
              << "replay of " << id << " step " << step << " " << k;
      }
      if (live_goals.contains(id)) {
        for (const char* k : {"entered", "attained", "rate"})
          EXPECT_EQ(live_goals[id][k], replay["goal"][k]) << "replay goal of " << id << " " << k;
      }
    }
  }
  if (replay_mode == "true" || replay_mode == "programme") {
    // Every journey the file names replayed together (Engine::ReplayProgramme): the rules between
    // journeys (frequency cap, same goal, one journey's updates read by another) hold as live.
    ProgrammeReplayRequest request{.journeys = {}, .all = false, .from = start, .to = end};
    for (const auto& [id, want] : want_journeys.items()) request.journeys.push_back(id);
    for (const auto& [id, want] : want_goals.items()) request.journeys.push_back(id);
    auto r = engine_->ReplayProgramme(request);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const ReplayReport& report : r->journeys) {
      const std::string id = report.journey.value();
      const json replay = wire::ToJson(report);
      if (live_reports.contains(id)) {
        json steps = StepsById(replay["steps"]);
        for (const auto& [step, counts] : live_reports[id]["steps"].items()) {
          for (const char* k : {"inflow", "passed_on", "in_progress", "exits"})
            EXPECT_EQ(counts[k], steps[step][k])
                << "programme replay of " << id << " step " << step << " " << k;
        }
        for (const char* k : {"entered", "entries", "completed", "exited"})
          EXPECT_EQ(live_reports[id]["totals"][k], replay["totals"][k])
              << "programme replay of " << id << " totals " << k;
      }
      if (live_goals.contains(id)) {
        for (const char* k : {"entered", "attained", "rate"})
          EXPECT_EQ(live_goals[id][k], replay["goal"][k])
              << "programme replay goal of " << id << " " << k;
      }
    }
  }
}

SIGNPOST_SCENARIO_FILES(JourneyScenarioTest, "journeys", 40);
SIGNPOST_SCENARIO_FILES(JourneyScenario2Test, "journeys", 40);
SIGNPOST_SCENARIO_FILES(JourneyScenario8Test, "journeys", 40);
SIGNPOST_SCENARIO_FILES(PrivacyScenarioTest, "privacy", 3);
SIGNPOST_SCENARIO_FILES(PrivacyScenario8Test, "privacy", 3);

}  // namespace
}  // namespace signpost
