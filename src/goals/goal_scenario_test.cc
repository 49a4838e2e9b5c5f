// Runs every scenario file in tests/scenarios/goals/ (one test per file): journeys with goals, the
// profiles' events, and the expected credits, report fields and people. Format:
// tests/scenarios/goals/README.md; the event syntax and the shared machinery are tests/support/.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/duration.h"
#include "base/time.h"
#include "goals/attribution.h"
#include "goals/goal_report.h"
#include "tests/support/scenario.h"
#include "tests/support/scenario_events.h"
#include "wire/wire.h"

namespace signpost::goals {
namespace {

using nlohmann::json;

// Expected rows with their time fields written as scenario times, made ISO 8601 like the output.
json Times(json rows, TimeMs base) {
  for (auto& row : rows) {
    for (const char* key : {"hit_at", "entered_at", "attained_at"}) {
      if (row.contains(key))
        row[key] = FormatIso8601(scenario::TimeOrFail(row[key].get<std::string>(), base));
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
  std::deque<std::string> text;  // name, properties, message id per event (never moved)
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

class GoalScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoalScenarioTest, Holds) {
  const YAML::Node doc = scenario::Load("goals", GetParam());
  ASSERT_TRUE(doc["description"]) << "each scenario says what it tests";
  CheckRejections(doc["reject"]);
  if (!doc["journeys"]) return;
  auto base_or = scenario::BaseOf(doc);
  ASSERT_TRUE(base_or.ok()) << base_or.status().ToString();
  const TimeMs base = *base_or;
  std::vector<JourneyGoal> journeys;
  for (const auto& j : doc["journeys"]) {
    auto jg = JourneyOf(j);
    ASSERT_TRUE(jg.ok()) << jg.status().message();
    journeys.push_back(*std::move(jg));
  }
  // Each `user` is a profile; seq = file order (arrival order); the message id is "m<seq>"
  // unless the event has an `id`.
  auto events = scenario::ParseEvents(doc["events"], base, "goals/" + GetParam());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  std::map<std::string, Profile> profiles;
  uint64_t seq = 0;
  for (const auto& e : *events) {
    Profile& p = profiles[e.user];
    ProfileEvent pe;
    pe.timestamp = e.at;
    pe.seq = ++seq;
    p.text.push_back(e.event);
    pe.name = p.text.back();
    p.text.push_back(e.properties.is_null() ? "{}" : e.properties.dump());
    pe.properties_json = p.text.back();
    p.text.push_back(e.id.empty() ? "m" + std::to_string(pe.seq) : e.id);
    pe.message_id = p.text.back();
    p.events.push_back(pe);
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
    scenario::ExpectSubset(Times(scenario::ToJson(doc["expect_credits"][name]), base), a,
                           "credits of " + name);
  }
  if (const YAML::Node r = doc["report"]) {
    const std::string id = r["journey"].Scalar();
    auto it = std::find_if(journeys.begin(), journeys.end(),
                           [&](const JourneyGoal& j) { return j.journey == id; });
    ASSERT_NE(it, journeys.end()) << "report of an unknown journey " << id;
    GoalReportOptions options;
    std::map<std::string, std::set<std::string>> members;
    if (const YAML::Node q = r["query"]) {
      if (q["from"]) options.from = scenario::TimeOrFail(q["from"].Scalar(), base);
      if (q["to"]) options.to = scenario::TimeOrFail(q["to"].Scalar(), base);
      if (q["over_time"] && q["over_time"].Scalar() == "week")
        options.over_time = GoalReportOptions::Bucket::kWeek;
      for (const auto& s : q["segments"]) {
        options.segments.emplace_back(s.first.Scalar());
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
      auto in_segment = [&](const SegmentId& s) { return members[s.value()].count(name) != 0; };
      (i++ % 2 == 0 ? whole : part).AddProfile(name, Entries(p.events), credit, in_segment);
    }
    whole.Merge(part);
    json got = wire::ToJson(whole.Report());
    if (r["expect"]) scenario::ExpectSubset(scenario::ToJson(r["expect"]), got, "report");
    if (r["people"]) {
      json people = wire::ToJson(GoalPeople{"", whole.People()})["people"];
      scenario::ExpectSubset(Times(scenario::ToJson(r["people"]), base), people, "people");
    }
  }
}

SIGNPOST_SCENARIO_FILES(GoalScenarioTest, "goals", 20);

}  // namespace
}  // namespace signpost::goals
