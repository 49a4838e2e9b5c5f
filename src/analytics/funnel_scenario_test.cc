// Runs every scenario file in tests/scenarios/funnels/: events, a funnel definition, a query and
// the expected report fields. The format is described in tests/scenarios/funnels/README.md.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analytics/funnel_query.h"
#include "analytics/test_support.h"
#include "base/duration.h"
#include "base/time.h"

namespace signpost::analytics {
namespace {

namespace fs = std::filesystem;

fs::path ScenarioDir() {
  const char* root = std::getenv("SIGNPOST_SOURCE_DIR");
  if (root != nullptr) return fs::path(root) / "tests" / "scenarios" / "funnels";
  // Without CTest: relative to this source file (src/analytics/ -> the repository root).
  return fs::path(__FILE__).parent_path() / ".." / ".." / "tests" / "scenarios" / "funnels";
}

// YAML -> JSON, with scalars typed the way YAML 1.2 core would read them.
nlohmann::json ToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : n) j[kv.first.Scalar()] = ToJson(kv.second);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : n) j.push_back(ToJson(v));
    return j;
  }
  if (n.IsNull()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted
  if (s == "true") return true;
  if (s == "false") return false;
  char* end = nullptr;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (!s.empty() && *end == '\0') return i;
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0') return d;
  return s;
}

// "01:30" or "1:30:15" after `base`, "+2d" after base, or a full ISO 8601 time.
TimeMs TimeOf(const std::string& text, TimeMs base) {
  if (!text.empty() && text[0] == '+') return base + *ParseDuration(text.substr(1));
  if (text.find('-') != std::string::npos) return *ParseIso8601(text);
  int h = 0, m = 0, s = 0;
  std::sscanf(text.c_str(), "%d:%d:%d", &h, &m, &s);
  return base + h * kHourMs + m * kMinuteMs + s * kSecondMs;
}

void ExpectSubset(const nlohmann::json& want, const nlohmann::json& got, const std::string& where) {
  if (want.is_object()) {
    ASSERT_TRUE(got.is_object()) << where << ": expected an object, got " << got.dump();
    for (auto it = want.begin(); it != want.end(); ++it) {
      ASSERT_TRUE(got.contains(it.key()))
          << where << "." << it.key() << " missing in " << got.dump();
      ExpectSubset(it.value(), got[it.key()], where + "." + it.key());
    }
  } else if (want.is_array()) {
    ASSERT_TRUE(got.is_array()) << where << ": expected an array, got " << got.dump();
    ASSERT_EQ(want.size(), got.size())
        << where << ": want " << want.dump() << ", got " << got.dump();
    for (size_t i = 0; i < want.size(); ++i)
      ExpectSubset(want[i], got[i], where + "[" + std::to_string(i) + "]");
  } else if (want.is_number() && got.is_number()) {
    EXPECT_NEAR(want.get<double>(), got.get<double>(), 1e-9) << where;
  } else {
    EXPECT_EQ(want, got) << where;
  }
}

struct Scenario {
  std::vector<Event> events;
  std::vector<ProfileId> profiles;
  YAML::Node doc;
};

void LoadEvents(const YAML::Node& doc, Scenario* sc) {
  TimeMs base = doc["base"] ? *ParseIso8601(doc["base"].Scalar()) : *ParseIso8601("2024-01-01");
  uint64_t seq = 0;
  for (const auto& item : doc["events"]) {
    Event e;
    e.seq = ++seq;
    uint64_t profile;
    if (item.IsSequence()) {  // [profile, time, event]
      profile = item[0].as<uint64_t>();
      e.timestamp = TimeOf(item[1].Scalar(), base);
      e.event = item[2].Scalar();
    } else {
      profile = item["profile"].as<uint64_t>();
      e.timestamp = TimeOf(item["at"].Scalar(), base);
      if (item["event"]) e.event = item["event"].Scalar();
      if (item["type"]) e.type = *EventTypeFromName(item["type"].Scalar());
      if (item["properties"]) e.properties = ToJson(item["properties"]).dump();
      if (item["context"]) e.context = ToJson(item["context"]).dump();
      if (item["traits"]) e.traits = ToJson(item["traits"]).dump();
    }
    sc->events.push_back(std::move(e));
    sc->profiles.push_back(ProfileId(profile));
  }
}

FunnelOptions OptionsOf(const YAML::Node& q, TimeMs base) {
  FunnelOptions o;
  if (!q) return o;
  if (q["from"]) o.from = TimeOf(q["from"].Scalar(), base);
  if (q["to"]) o.to = TimeOf(q["to"].Scalar(), base);
  if (q["completion_windows"]) {
    for (const auto& w : q["completion_windows"])
      o.completion_windows.push_back(*ParseDuration(w.Scalar()));
  }
  if (q["trend"]) o.trend = q["trend"].Scalar() == "day" ? TrendUnit::kDay : TrendUnit::kWeek;
  if (q["breakdown"]) o.breakdown = q["breakdown"].Scalar();
  if (q["attribution"]) o.attribution = *ParseAttribution(q["attribution"].Scalar());
  if (q["top"]) o.top = q["top"].as<int>();
  if (q["segment"]) {
    o.segment.emplace();
    for (const auto& p : q["segment"]) o.segment->push_back(ProfileId(p.as<uint64_t>()));
  }
  return o;
}

void RunScenario(const fs::path& file, int threads, bool seal) {
  SCOPED_TRACE(file.filename().string() + " threads=" + std::to_string(threads) +
               (seal ? " sealed" : " delta"));
  Scenario sc;
  sc.doc = YAML::LoadFile(file.string());
  const YAML::Node& doc = sc.doc;
  TimeMs base = doc["base"] ? *ParseIso8601(doc["base"].Scalar()) : *ParseIso8601("2024-01-01");
  std::string text;
  if (doc["funnel"].IsScalar()) {
    text = doc["funnel"].Scalar();
  } else {
    YAML::Emitter em;
    em << doc["funnel"];
    text = em.c_str();
  }
  auto def = text.find('\n') == std::string::npos && text.find('>') != std::string::npos &&
                     text.find(':') == std::string::npos
                 ? ParseAdHocFunnel(text)
                 : ParseFunnelDefinition(text);
  if (doc["expect_error"]) {
    ASSERT_FALSE(def.ok());
    EXPECT_NE(def.status().message().find(doc["expect_error"].Scalar()), std::string::npos)
        << def.status().message();
    return;
  }
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  LoadEvents(doc, &sc);
  EventIndex index;
  testing::VectorPropertySource source(&sc.events);
  for (size_t i = 0; i < sc.events.size(); ++i) index.Add(sc.profiles[i], sc.events[i]);
  if (seal) index.Seal();
  FunnelOptions options = OptionsOf(doc["query"], base);
  options.threads = threads;
  auto report = RunFunnel(index, *def, options, &source);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  nlohmann::json got = ToJson(*report);
  if (doc["expect_counts"]) {
    std::vector<uint64_t> counts;
    for (const auto& s : report->steps) counts.push_back(s.count);
    EXPECT_EQ(ToJson(doc["expect_counts"]), nlohmann::json(counts)) << got.dump(1);
  }
  if (doc["expect"]) ExpectSubset(ToJson(doc["expect"]), got, "report");
  for (const auto& p : doc["people"]) {
    PeopleQuery q;
    if (p["completed"]) q.completed = p["completed"].as<int>();
    if (p["dropped_at"]) q.dropped_at = p["dropped_at"].as<int>();
    q.now = p["now"] ? TimeOf(p["now"].Scalar(), base) : base;
    auto people = FunnelPeople(index, *def, options, q, &source);
    ASSERT_TRUE(people.ok()) << people.status().ToString();
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& person : *people) {
      rows.push_back({{"profile", person.profile.value()},
                      {"last_step", person.last_step},
                      {"last_step_name", person.last_step_name},
                      {"stuck_ms", person.stuck_ms}});
    }
    ExpectSubset(ToJson(p["expect"]), rows, "people");
  }
  for (const auto& l : doc["last_step"]) {
    auto person = LastCompletedStep(index, *def, options, ProfileId(l["profile"].as<uint64_t>()),
                                    base, &source);
    ASSERT_TRUE(person.ok()) << person.status().ToString();
    EXPECT_EQ(person->last_step, l["expect"].as<int>()) << "profile " << l["profile"].Scalar();
  }
}

TEST(FunnelScenarios, EveryFileHolds) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(ScenarioDir())) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 10u) << "no scenarios found in " << ScenarioDir();
  for (const auto& f : files) {
    for (int threads : {1, 2}) {
      for (bool seal : {true, false}) RunScenario(f, threads, seal);
    }
  }
}

}  // namespace
}  // namespace signpost::analytics
