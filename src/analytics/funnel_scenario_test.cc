// Runs every scenario file in tests/scenarios/funnels/ (one test per file): events, a funnel
// definition, a query and the expected report fields. The format is described in
// tests/scenarios/funnels/README.md; the event syntax and the shared machinery are tests/support/.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analytics/funnel_paths.h"
#include "analytics/funnel_query.h"
#include "analytics/test_support.h"
#include "base/duration.h"
#include "base/time.h"
#include "tests/support/scenario.h"
#include "tests/support/scenario_events.h"
#include "wire/paths.h"
#include "wire/wire.h"

namespace signpost::analytics {
namespace {

struct Scenario {
  std::vector<Event> events;
  std::vector<ProfileId> profiles;
};

// The file's events (tests/scenarios/README.md), each `user` the number of its profile; seq =
// file order.
void LoadEvents(const YAML::Node& doc, TimeMs base, const std::string& file, Scenario* sc) {
  auto events = scenario::ParseEvents(doc["events"], base, file);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  for (const auto& item : *events) {
    char* end = nullptr;
    const uint64_t profile = std::strtoull(item.user.c_str(), &end, 10);
    ASSERT_TRUE(!item.user.empty() && *end == '\0')
        << file << ":" << item.line << ": a funnel scenario's user is a profile number";
    Event e = item.ToEvent();
    e.seq = sc->events.size() + 1;
    sc->events.push_back(std::move(e));
    sc->profiles.push_back(ProfileId(profile));
  }
}

FunnelOptions OptionsOf(const YAML::Node& q, TimeMs base) {
  FunnelOptions o;
  if (!q) return o;
  if (q["from"]) o.from = scenario::TimeOrFail(q["from"].Scalar(), base);
  if (q["to"]) o.to = scenario::TimeOrFail(q["to"].Scalar(), base);
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

void RunScenario(const std::string& file, int threads, bool seal) {
  SCOPED_TRACE(file + " threads=" + std::to_string(threads) + (seal ? " sealed" : " delta"));
  Scenario sc;
  const YAML::Node doc = scenario::Load("funnels", file);
  auto base_or = scenario::BaseOf(doc);
  ASSERT_TRUE(base_or.ok()) << base_or.status().ToString();
  const TimeMs base = *base_or;
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
  ASSERT_NO_FATAL_FAILURE(LoadEvents(doc, base, "funnels/" + file, &sc));
  EventIndex index;
  testing::VectorPropertySource source(&sc.events);
  for (size_t i = 0; i < sc.events.size(); ++i) index.Add(sc.profiles[i], sc.events[i]);
  if (seal) index.Seal();
  FunnelOptions options = OptionsOf(doc["query"], base);
  options.threads = threads;
  auto report = RunFunnel(index, *def, options, &source);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // The scenario files expect the report as the API writes it.
  nlohmann::json got = wire::ToJson(*report);
  if (doc["expect_counts"]) {
    std::vector<uint64_t> counts;
    for (const auto& s : report->steps) counts.push_back(s.count);
    EXPECT_EQ(scenario::ToJson(doc["expect_counts"]), nlohmann::json(counts)) << got.dump(1);
  }
  if (doc["expect"]) scenario::ExpectSubset(scenario::ToJson(doc["expect"]), got, "report");
  for (const auto& p : doc["people"]) {
    PeopleQuery q;
    if (p["completed"]) q.completed = p["completed"].as<int>();
    if (p["dropped_at"]) q.dropped_at = p["dropped_at"].as<int>();
    q.now = p["now"] ? scenario::TimeOrFail(p["now"].Scalar(), base) : base;
    auto people = FunnelPeople(index, *def, options, q, &source);
    ASSERT_TRUE(people.ok()) << people.status().ToString();
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& person : *people) {
      rows.push_back({{"profile", person.profile.value()},
                      {"last_step", person.last_step},
                      {"last_step_name", person.last_step_name},
                      {"stuck_ms", person.stuck_ms}});
    }
    scenario::ExpectSubset(scenario::ToJson(p["expect"]), rows, "people");
  }
  // Multi-path reporting: the paths report (as the API writes it) of each `paths` entry.
  for (const auto& p : doc["paths"]) {
    PathOptions po;
    if (p["step"]) po.step = p["step"].as<int>();
    if (p["max_length"]) po.max_length = p["max_length"].as<int>();
    if (p["top"]) po.top = p["top"].as<int>();
    if (p["collapse_repeats"]) po.collapse_repeats = p["collapse_repeats"].as<bool>();
    auto paths = CountFunnelPaths(index, *def, options, po, &source);
    ASSERT_TRUE(paths.ok()) << paths.status().ToString();
    scenario::ExpectSubset(scenario::ToJson(p["expect"]), wire::ToJson(*paths), "paths");
  }
  for (const auto& l : doc["last_step"]) {
    auto person = LastCompletedStep(index, *def, options, ProfileId(l["profile"].as<uint64_t>()),
                                    base, &source);
    ASSERT_TRUE(person.ok()) << person.status().ToString();
    EXPECT_EQ(person->last_step, l["expect"].as<int>()) << "profile " << l["profile"].Scalar();
  }
}

class FunnelScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FunnelScenarioTest, Holds) {
  for (int threads : {1, 2}) {
    for (bool seal : {true, false}) RunScenario(GetParam(), threads, seal);
  }
}

SIGNPOST_SCENARIO_FILES(FunnelScenarioTest, "funnels", 10);

}  // namespace
}  // namespace signpost::analytics
