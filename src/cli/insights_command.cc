// `signpost funnel F --drivers K`: step drivers, local or remote, as text or JSON.
#include "cli/insights_command.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"
#include "wire/insights.h"

namespace signpost::cli {

namespace {

using nlohmann::json;

std::string FormatNum(const json& v, const char* fmt_spec) {
  return v.is_number() ? fmt::format(fmt::runtime(fmt_spec), v.get<double>()) : "-";
}

std::string Candidate(const json& d) {
  const std::string kind = d.value("kind", "");
  const std::string event = d.value("event", ""), path = d.value("path", ""),
                    value = d.value("value", "");
  if (kind == "event") return "did " + event;
  if (kind == "property") return event + " " + path + " = " + value;
  if (kind == "trait") return path + " = " + value;
  if (kind == "segment") return "in segment " + value;
  if (kind == "message") return "received " + event;
  return kind;
}

void PrintDrivers(const json& r) {
  std::cout << fmt::format("drivers of step {} ({}) -> step {} ({}), funnel {} v{}\n",
                           r.value("step", 0), r.value("step_name", ""), r.value("target_step", 0),
                           r.value("target_name", ""), r.value("funnel", json("")).dump(),
                           r.value("version", 0));
  std::cout << fmt::format("population: {}: {} people, {} converted ({:.1f}%)\n",
                           r.value("population", ""), r.value("reached", 0),
                           r.value("converted", 0), 100 * r.value("rate", 0.0));
  std::cout << fmt::format(
      "{} candidates, {} tested (at least {} people with and without), {} significant at "
      "FDR {}\n",
      r.value("candidates", 0), r.value("tested", 0), r.value("min_count", 0),
      r.value("significant", 0), r.value("fdr", 0.05));
  std::vector<std::vector<std::string>> rows = {
      {"candidate", "with", "rate with", "without", "odds ratio (95%)", "q", ""}};
  for (const json& d : r.value("drivers", json::array())) {
    const json ci = d.value("odds_ratio_interval", json::array());
    rows.push_back(
        {Candidate(d), std::to_string(d.value("people_with", 0)),
         FormatNum(json(100 * d.value("rate_with", 0.0)), "{:.1f}%"),
         FormatNum(json(100 * d.value("rate_without", 0.0)), "{:.1f}%"),
         FormatNum(d.value("odds_ratio", json()), "{:.2f}") + " [" +
             (ci.size() == 2 ? FormatNum(ci[0], "{:.2f}") + ", " + FormatNum(ci[1], "{:.2f}")
                             : std::string("-")) +
             "]",
         FormatNum(d.value("q_value", json()), "{:.2g}"),
         d.value("significant", false) ? "*" : ""});
  }
  PrintTable(rows);
}

void PrintImportance(const json& r) {
  std::cout << fmt::format("step importance towards step {} ({}), funnel {} v{}, l2 {}\n",
                           r.value("goal_step", 0), r.value("goal_name", ""),
                           r.value("funnel", json("")).dump(), r.value("version", 0),
                           r.value("l2", 1.0));
  for (const json& g : r.value("groups", json::array())) {
    const json seg = g.value("segment", json());
    std::cout << fmt::format(
        "\n{}: {} entered, {} reached the goal ({:.1f}%); model accuracy {:.1f}% on {} held-out "
        "people (majority guess {:.1f}%)\n",
        seg.is_string() ? "segment " + seg.get<std::string>() : std::string("everyone"),
        g.value("entered", 0), g.value("reached_goal", 0), 100 * g.value("goal_rate", 0.0),
        100 * g.value("accuracy", 0.0), g.value("test_people", 0), 100 * g.value("baseline", 0.0));
    std::vector<std::vector<std::string>> rows = {
        {"#", "step", "with", "goal with", "goal without", "difference", "log-odds"}};
    for (const json& s : g.value("steps", json::array())) {
      rows.push_back({std::to_string(s.value("step", 0)), s.value("name", ""),
                      std::to_string(s.value("with", 0)),
                      FormatNum(json(100 * s.value("rate_with", 0.0)), "{:.1f}%"),
                      FormatNum(json(100 * s.value("rate_without", 0.0)), "{:.1f}%"),
                      FormatNum(json(100 * s.value("difference", 0.0)), "{:+.1f} pts"),
                      FormatNum(s.value("coefficient", json()), "{:+.2f}")});
    }
    PrintTable(rows);
  }
}

}  // namespace

void AddDriverFlags(CLI::App* cmd, DriverArgs& a) {
  cmd->add_option("--drivers", a.step,
                  "Step drivers: what goes with converting from step K to the next (or --target "
                  "goal)");
  cmd->add_option("--target", a.target, "Drivers: next (step K+1, default) | goal");
  cmd->add_option("--properties", a.properties,
                  "Drivers: event properties as candidates, e.g. properties.plan,context.x");
  cmd->add_option("--traits", a.traits, "Drivers: traits as candidates, e.g. traits.plan");
  cmd->add_option("--segments", a.segments, "Drivers: segments as candidates, e.g. trial,vip");
  cmd->add_option("--min-count", a.min_count, "Drivers: people needed with and without (30)");
  cmd->add_option("--max-values", a.max_values, "Drivers: values kept per property (20)");
  cmd->add_option("--fdr", a.fdr, "Drivers: false-discovery rate (0.05)");
  cmd->add_flag("--importance", a.importance,
                "Step importance: which steps (as milestones) predict reaching the goal, with "
                "--segments a group each");
  cmd->add_option("--l2", a.l2, "Importance: the logistic regression's L2 penalty (1)");
}

void RunDrivers(Globals& g, const std::string& id, const json& funnel_query, const DriverArgs& a) {
  json q = funnel_query;
  q.erase("completed");
  q.erase("dropped_at");
  q["step"] = a.step;
  auto put = [&q](const char* key, const std::string& v) {
    if (!v.empty()) q[key] = v;
  };
  put("target", a.target);
  put("properties", a.properties);
  put("traits", a.traits);
  put("segments", a.segments);
  put("fdr", a.fdr);
  if (a.min_count > 0) q["min_count"] = a.min_count;
  if (a.max_values > 0) q["max_values"] = a.max_values;
  // `top` of the funnel flags is the number of rows here.
  auto query = wire::ParseStepDriversQuery(id, q);
  if (!query.ok()) {
    g.exit_code = PrintError(query.status());
    return;
  }
  LocalOrRemote(
      g, true,
      [&](Engine& e) {
        Result<StepDriversReport> r = e.FunnelDrivers(*query);
        if (!r.ok()) return PrintError(r.status());
        return Show(g, wire::ToJson(*r), PrintDrivers);
      },
      [&] {
        if (id.empty())
          return Show(g, RemoteCall(g, "POST", "/api/funnels/drivers", q.dump()), PrintDrivers);
        return Show(
            g, RemoteCall(g, "GET", "/api/funnels/" + UrlEncode(id) + "/drivers" + QueryString(q)),
            PrintDrivers);
      });
}

void RunImportance(Globals& g, const std::string& id, const json& funnel_query,
                   const DriverArgs& a) {
  json q = funnel_query;
  q.erase("completed");
  q.erase("dropped_at");
  q.erase("top");
  if (!a.segments.empty()) q["segments"] = a.segments;
  if (!a.l2.empty()) q["l2"] = a.l2;
  auto query = wire::ParseStepImportanceQuery(id, q);
  if (!query.ok()) {
    g.exit_code = PrintError(query.status());
    return;
  }
  LocalOrRemote(
      g, true,
      [&](Engine& e) {
        Result<StepImportanceReport> r = e.FunnelImportance(*query);
        if (!r.ok()) return PrintError(r.status());
        return Show(g, wire::ToJson(*r), PrintImportance);
      },
      [&] {
        if (id.empty())
          return Show(g, RemoteCall(g, "POST", "/api/funnels/importance", q.dump()),
                      PrintImportance);
        return Show(
            g,
            RemoteCall(g, "GET", "/api/funnels/" + UrlEncode(id) + "/importance" + QueryString(q)),
            PrintImportance);
      });
}

}  // namespace signpost::cli
