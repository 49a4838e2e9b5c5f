// Runs the journey scenarios in tests/scenarios/journeys/*.yaml: definitions, a timeline of events
// and clock moves on a ManualClock, and the expected step analytics, system events and goal report.
// Each scenario runs live (events through the HTTP ingest path, the runtime on the engine's clock)
// and, when it says `replay: true`, again through `replay` on the same stored events, expecting the
// same step counts and goal report. The format is in tests/scenarios/journeys/README.md.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "base/system_events.h"
#include "base/time.h"
#include "signpost/engine.h"
#include "wire/wire.h"

namespace signpost {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : node) o[kv.first.Scalar()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& v : node) a.push_back(ToJson(v));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null") return nullptr;
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size()) {
        if (s.find_first_of(".eE") == std::string::npos) return static_cast<int64_t>(d);
        return d;
      }
      return s;
    }
    default:
      return nullptr;
  }
}

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

// Every key of `expected` must be in `actual` with an equal value (objects compared recursively;
// numbers with a tolerance of 1e-9).
void ExpectSubset(const json& expected, const json& actual, const std::string& where) {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << where << ": expected an object, got " << actual.dump();
    for (const auto& [k, v] : expected.items()) {
      ASSERT_TRUE(actual.contains(k)) << where << "." << k << " is missing in " << actual.dump();
      ExpectSubset(v, actual[k], where + "." + k);
    }
  } else if (expected.is_number() && actual.is_number()) {
    EXPECT_NEAR(expected.get<double>(), actual.get<double>(), 1e-9) << where;
  } else {
    EXPECT_EQ(expected, actual) << where;
  }
}

// The steps array of a journey report as {step id: counts}.
json StepsById(const json& steps) {
  json out = json::object();
  for (const auto& s : steps) out[s["id"].get<std::string>()] = s;
  return out;
}

class JourneyScenarioTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("signpost-journey-scenario-" + std::to_string(std::random_device{}()));
  }
  void TearDown() override {
    engine_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    EngineOptions o;
    o.data_dir = dir_.string();
    o.clock = &clock_;
    o.sync = false;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
  }

  fs::path dir_;
  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

std::string Identity(const json& item) {
  return item.contains("user") ? "user:" + item["user"].get<std::string>()
                               : "anon:" + item["anon"].get<std::string>();
}

TEST_P(JourneyScenarioTest, Runs) {
  const fs::path path =
      fs::path(std::getenv("SIGNPOST_SOURCE_DIR")) / "tests/scenarios/journeys" / GetParam();
  YAML::Node doc = YAML::LoadFile(path.string());
  SCOPED_TRACE(GetParam());
  clock_.Set(*ParseIso8601(doc["start"].Scalar()));
  Open();
  std::string key = (*engine_->CreateKey("write", "scenario"))["token"];

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
    json item = ToJson(step);
    // Timers due before the item fire first; those due exactly at its time fire after it (the
    // runtime's tie rule: an awaited event exactly at a wait's timeout arrives in time).
    const TimeMs at = *ParseIso8601(item["at"].get<std::string>());
    if (at - 1 > clock_.NowMs()) clock_.Set(at - 1);
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    clock_.Set(at);
    if (item.contains("track") &&
        system_events::IsReserved(item["track"]["event"].get<std::string>())) {
      // What the engine itself records (an open from the tracking endpoint): a write key may not
      // send these (issue 11), so it enters the way the engine's own events do, unparsed.
      const json& e = item["track"];
      Event ev;
      ev.type = EventType::kTrack;
      ev.event = e["event"].get<std::string>();
      const std::string identity = Identity(e);
      (identity.rfind("user:", 0) == 0 ? ev.user_id : ev.anonymous_id) = identity.substr(5);
      if (e.contains("properties")) ev.properties = e["properties"].dump();
      ev.message_id = e.contains("id")
                          ? e["id"].get<std::string>()
                          : "scenario-" + item["at"].get<std::string>() + "-" + identity;
      ev.timestamp = ev.received_at = at;
      auto r = engine_->IngestEvents({ev});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    } else if (item.contains("track") || item.contains("identify")) {
      const bool track = item.contains("track");
      json e = track ? item["track"] : item["identify"];
      json body = {{"type", track ? "track" : "identify"}, {"timestamp", item["at"]}};
      std::string identity = Identity(e);
      body[identity.rfind("user:", 0) == 0 ? "userId" : "anonymousId"] = identity.substr(5);
      if (e.contains("user") && e.contains("anon")) body["anonymousId"] = e["anon"];  // links both
      if (track) body["event"] = e["event"];
      if (e.contains("properties")) body["properties"] = e["properties"];
      if (e.contains("traits")) body["traits"] = e["traits"];
      if (e.contains("id")) body["messageId"] = e["id"];
      auto r = engine_->IngestHttp(track ? "track" : "identify", body.dump(), key);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    if (item.contains("apply")) apply(item["apply"].get<std::string>());
    if (item.contains("state")) {
      auto r = engine_->SetJourneyState(item["state"]["journey"].get<std::string>(),
                                        item["state"]["state"].get<std::string>());
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    if (item.contains("restart") && item["restart"].get<bool>()) {
      engine_.reset();
      Open();
    }
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  }
  const TimeMs end = doc["end"] ? *ParseIso8601(doc["end"].Scalar()) : clock_.NowMs();
  clock_.Set(end);
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());

  json expect = ToJson(doc["expect"]);
  const json want_journeys = expect.value("journeys", json::object());
  const json want_events = expect.value("events", json::object());
  const json want_goals = expect.value("goals", json::object());
  json live_reports = json::object();
  for (const auto& [id, want] : want_journeys.items()) {
    auto r = engine_->Journey(id);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    json got = *r;
    got["steps"] = StepsById(got["steps"]);
    live_reports[id] = got;
    ExpectSubset(want, got, "journeys." + id);
  }
  for (const auto& [user, want] : want_events.items()) {
    auto r = engine_->ProfileEvents(user, 0);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> got;
    for (const auto& e : (*r)["events"]) {
      if (e.value("type", "") == "track" && system_events::IsReserved(e.value("event", ""))) {
        if (e.value("event", "") == system_events::kMessageDelivered) continue;
        got.push_back(Describe(e));
      }
    }
    EXPECT_EQ(want.get<std::vector<std::string>>(), got) << "events of " << user;
  }
  json live_goals = json::object();
  for (const auto& [id, want] : want_goals.items()) {
    auto r = engine_->GoalReport(id, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    live_goals[id] = wire::ToJson(*r);  // the scenario files expect the report as the API writes it
    ExpectSubset(want, live_goals[id], "goals." + id);
  }
  if (doc["replay"] && doc["replay"].as<bool>()) {
    // The same stored events through replay: the same step counts and goal report.
    for (const auto& [id, want] : want_journeys.items()) {
      auto r = engine_->Replay({.journey = id, .from = start, .to = end});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      json steps = StepsById((*r)["steps"]);
      for (const auto& [step, counts] : live_reports[id]["steps"].items()) {
        for (const char* k : {"inflow", "passed_on", "in_progress", "exits"})
          EXPECT_EQ(counts[k], steps[step][k])
              << "replay of " << id << " step " << step << " " << k;
      }
      if (live_goals.contains(id)) {
        for (const char* k : {"entered", "attained", "rate"})
          EXPECT_EQ(live_goals[id][k], (*r)["goal"][k]) << "replay goal of " << id << " " << k;
      }
    }
  }
}

std::vector<std::string> Scenarios() {
  std::vector<std::string> out;
  const char* src = std::getenv("SIGNPOST_SOURCE_DIR");
  if (!src) return out;
  for (const auto& e : fs::directory_iterator(fs::path(src) / "tests/scenarios/journeys")) {
    if (e.path().extension() == ".yaml") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Files, JourneyScenarioTest, ::testing::ValuesIn(Scenarios()),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace signpost
