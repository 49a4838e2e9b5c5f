// Runs every scenario file in tests/scenarios/goals/: journeys with goals, each profile's events,
// and the expected credits, report fields and people. Format: tests/scenarios/goals/README.md.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/duration.h"
#include "base/time.h"
#include "goals/attribution.h"
#include "goals/goal_report.h"
#include "wire/wire.h"

namespace signpost::goals {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path Dir() {
  const char* root = std::getenv("SIGNPOST_SOURCE_DIR");
  fs::path base = root != nullptr ? fs::path(root)
                                  : fs::path(__FILE__).parent_path().parent_path().parent_path();
  return base / "tests" / "scenarios" / "goals";
}

// A YAML value as JSON: unquoted scalars that read as JSON literals (numbers, true, false, null)
// keep that type, everything else is a string.
json Json(const YAML::Node& n) {
  json j;
  switch (n.Type()) {
    case YAML::NodeType::Map:
      j = json::object();
      for (const auto& kv : n) j[kv.first.Scalar()] = Json(kv.second);
      return j;
    case YAML::NodeType::Sequence:
      j = json::array();
      for (const auto& item : n) j.push_back(Json(item));
      return j;
    case YAML::NodeType::Scalar:
      if (n.Tag() != "!") {
        j = json::parse(n.Scalar(), nullptr, false);
        if (!j.is_discarded() && j.is_primitive()) return j;
      }
      return n.Scalar();
    default:
      return nullptr;
  }
}

// "+<duration>" after `base` (e.g. "+3d1ms"), or an ISO 8601 time.
TimeMs At(const std::string& text, TimeMs base) {
  if (text.rfind('+', 0) == 0) {
    auto d = ParseDuration(text.substr(1));
    EXPECT_TRUE(d.ok()) << "bad time '" << text << "': " << d.status().message();
    return d.ok() ? base + *d : base;
  }
  auto iso = ParseIso8601(text);
  EXPECT_TRUE(iso.ok()) << "bad time '" << text << "': " << iso.status().message();
  return iso.ok() ? *iso : 0;
}

// Every leaf of `want` must equal the leaf at the same place in `got`; arrays must have the same
// length.
void ExpectFields(const json& want, const json& got, const std::string& what) {
  const json flat = got.flatten();
  const json wanted = want.flatten();
  for (const auto& [pointer, value] : wanted.items()) {
    ASSERT_TRUE(flat.contains(pointer)) << what << pointer << " missing in " << got.dump();
    if (value.is_number() && flat[pointer].is_number()) {
      EXPECT_NEAR(value.get<double>(), flat[pointer].get<double>(), 1e-9) << what << pointer;
    } else {
      EXPECT_EQ(value, flat[pointer]) << what << pointer << " in " << got.dump();
    }
  }
  std::function<void(const json&, const json::json_pointer&)> sizes =
      [&](const json& w, const json::json_pointer& p) {
        if (w.is_array()) {
          ASSERT_TRUE(got.contains(p) && got[p].is_array())
              << what << p.to_string() << ": expected a list";
          EXPECT_EQ(w.size(), got[p].size()) << what << p.to_string() << ": " << got[p].dump();
        }
        if (!w.is_structured()) return;
        for (const auto& [key, v] : w.items())
          sizes(v, w.is_array() ? p / std::stoul(key) : p / key);
      };
  sizes(want, json::json_pointer());
}

// Expected rows with their time fields written as scenario times, made ISO 8601 like the output.
json Times(json rows, TimeMs base) {
  for (auto& row : rows) {
    for (const char* key : {"hit_at", "entered_at", "attained_at"}) {
      if (row.contains(key)) row[key] = FormatIso8601(At(row[key].get<std::string>(), base));
    }
  }
  return rows;
}

json CreditJson(const Credit& c) {
  return {{"journey", c.journey.value()},
          {"entry", c.entry},
          {"version", c.version},
          {"entered_at", FormatIso8601(c.entered_at)},
          {"hit_at", FormatIso8601(c.hit_at)},
          {"hit_seq", c.hit_seq},
          {"hit_event", c.hit_event},
          {"hit_message_id", c.hit_message_id},
          {"holdout", c.holdout},
          {"variant", c.variant},
          {"channel", c.channel}};
}

// One profile's events, as owned strings with the views AttributeProfile takes.
struct Profile {
  std::vector<std::string> text;  // name, properties, message id per event
  std::vector<ProfileEvent> events;
};

Result<JourneyGoal> JourneyOf(const YAML::Node& j) {
  JourneyGoal jg;
  jg.journey = JourneyId(j["id"].Scalar());
  if (j["listening_window"]) {
    SP_ASSIGN_OR_RETURN(jg.listening_window, ParseDuration(j["listening_window"].Scalar()));
  }
  SP_ASSIGN_OR_RETURN(jg.goal, ParseGoal(j["goal"], "goal"));
  return jg;
}

void CheckRejections(const YAML::Node& list) {
  for (const auto& r : list) {
    const std::string want = r["error"].Scalar();
    Status status;
    if (r["journey_text"]) {
      YAML::Node doc = YAML::Load(r["journey_text"].Scalar());
      status = CheckOneGoal(doc);
      if (status.ok() && doc["goal"]) status = ParseGoal(doc["goal"], "goal").status();
    } else {
      status = ParseGoal(r["goal"], "goal").status();
    }
    ASSERT_FALSE(status.ok()) << "accepted, expected an error containing: " << want;
    EXPECT_NE(status.message().find(want), std::string::npos) << status.message();
  }
}

void RunScenario(const fs::path& file) {
  SCOPED_TRACE(file.filename().string());
  const YAML::Node doc = YAML::LoadFile(file.string());
  ASSERT_TRUE(doc["description"]) << "each scenario says what it tests";
  CheckRejections(doc["reject"]);
  if (!doc["journeys"]) return;
  const TimeMs base = doc["base"] ? At(doc["base"].Scalar(), 0) : *ParseIso8601("2024-01-01");
  std::vector<JourneyGoal> journeys;
  for (const auto& j : doc["journeys"]) {
    auto jg = JourneyOf(j);
    ASSERT_TRUE(jg.ok()) << jg.status().message();
    journeys.push_back(*std::move(jg));
  }
  // Events: [time, name, properties?, message_id?]; seq = file order (arrival order).
  std::map<std::string, Profile> profiles;
  uint64_t seq = 0;
  for (const auto& kv : doc["events"]) {
    Profile& p = profiles[kv.first.Scalar()];
    p.text.reserve(3 * kv.second.size());  // the views below must not move
    for (const auto& e : kv.second) {
      ProfileEvent pe;
      pe.timestamp = At(e[0].Scalar(), base);
      pe.seq = ++seq;
      p.text.push_back(e[1].Scalar());
      pe.name = p.text.back();
      p.text.push_back(e.size() > 2 ? Json(e[2]).dump() : "{}");
      pe.properties_json = p.text.back();
      p.text.push_back(e.size() > 3 ? e[3].Scalar() : "m" + std::to_string(pe.seq));
      pe.message_id = p.text.back();
      p.events.push_back(pe);
    }
  }
  std::map<std::string, std::vector<Credit>> credits;
  for (auto& [name, p] : profiles) {
    credits[name] = AttributeProfile(journeys, p.events);
    // Event time only: the same events in any arrival order give the same credits.
    std::vector<ProfileEvent> reversed(p.events.rbegin(), p.events.rend());
    json a = json::array(), b = json::array();
    for (const auto& c : credits[name]) a.push_back(CreditJson(c));
    for (const auto& c : AttributeProfile(journeys, reversed)) b.push_back(CreditJson(c));
    EXPECT_EQ(a, b) << name << ": credits depend on the order events were handed in";
    ASSERT_TRUE(doc["expect_credits"][name]) << "expect_credits must list profile " << name;
    ExpectFields(Times(Json(doc["expect_credits"][name]), base), a, "credits of " + name);
  }
  if (const YAML::Node r = doc["report"]) {
    const std::string id = r["journey"].Scalar();
    auto it = std::find_if(journeys.begin(), journeys.end(),
                           [&](const JourneyGoal& j) { return j.journey == id; });
    ASSERT_NE(it, journeys.end()) << "report of an unknown journey " << id;
    GoalReportOptions options;
    std::map<std::string, std::set<std::string>> members;
    if (const YAML::Node q = r["query"]) {
      if (q["from"]) options.from = At(q["from"].Scalar(), base);
      if (q["to"]) options.to = At(q["to"].Scalar(), base);
      if (q["over_time"] && q["over_time"].Scalar() == "week")
        options.over_time = GoalReportOptions::Bucket::kWeek;
      for (const auto& s : q["segments"]) {
        options.segments.push_back(s.first.Scalar());
        for (const auto& m : s.second) members[s.first.Scalar()].insert(m.Scalar());
      }
    }
    // Two partial builders (alternate profiles), merged: the report of a partitioned run.
    GoalReportBuilder whole(*it, r["version"] ? r["version"].as<uint64_t>() : 1, options),
        part = whole;
    size_t i = 0;
    for (const auto& [name, p] : profiles) {
      const Credit* credit = nullptr;
      for (const auto& c : credits[name]) {
        if (c.journey == id) credit = &c;
      }
      auto in_segment = [&](std::string_view s) {
        return members[std::string(s)].count(name) != 0;
      };
      (i++ % 2 == 0 ? whole : part).AddProfile(name, Entries(p.events), credit, in_segment);
    }
    whole.Merge(part);
    json got = wire::ToJson(whole.Report());
    if (r["expect"]) ExpectFields(Json(r["expect"]), got, "report");
    if (r["people"]) {
      json people = wire::ToJson(GoalPeople{"", whole.People()})["people"];
      ExpectFields(Times(Json(r["people"]), base), people, "people");
    }
  }
}

TEST(GoalScenarios, EveryFileHolds) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(Dir())) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 20u) << "scenarios missing in " << Dir();
  for (const auto& f : files) RunScenario(f);
}

}  // namespace
}  // namespace signpost::goals
