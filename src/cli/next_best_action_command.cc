// `signpost funnel F --next-best-action K [--segment S] [--refresh]` and
// `--next-best-action-for PROFILE`: the next best action, local or remote, as text or JSON.
#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/command_support.h"
#include "cli/insights_command.h"
#include "wire/insights.h"

namespace signpost::cli {

namespace {

using nlohmann::json;

std::string NbaPercent(const json& v, const char* spec) {
  return v.is_number() ? fmt::format(fmt::runtime(spec), 100 * v.get<double>()) : "-";
}

std::string NbaInterval(const json& ci) {
  return ci.is_array() && ci.size() == 2
             ? "[" + NbaPercent(ci[0], "{:+.1f}") + ", " + NbaPercent(ci[1], "{:+.1f}") + "]"
             : "-";
}

void PrintNextBestAction(const json& r) {
  std::cout << fmt::format(
      "next best action at step {} ({}) -> step {} ({}), funnel {} v{}, as of {}\n",
      r.value("step", 0), r.value("step_name", ""), r.value("target_step", 0),
      r.value("target_name", ""), r.value("funnel", ""), r.value("version", 0),
      r.value("as_of", ""));
  std::cout << fmt::format("population: {}; a row needs {} people treated and held out\n",
                           r.value("population", ""), r.value("min_count", 0));
  for (const json& t : r.value("tables", json::array())) {
    const json seg = t.value("segment", json());
    const json rec = t.value("recommended", json());
    std::cout << fmt::format(
        "\n{}: {} people at the step; recommended: {}\n",
        seg.is_string() ? "segment " + seg.get<std::string>() : std::string("everyone"),
        t.value("at_step", 0),
        rec.is_string() ? rec.get<std::string>() : std::string("not enough evidence"));
    std::vector<std::vector<std::string>> rows = {
        {"action", "treated", "rate", "held out", "rate", "lift pts (95%)", ""}};
    for (const json& row : t.value("rows", json::array())) {
      rows.push_back({row.value("action", ""), std::to_string(row.value("treated", 0)),
                      NbaPercent(row.value("treated_rate", json()), "{:.1f}%"),
                      std::to_string(row.value("holdout", 0)),
                      NbaPercent(row.value("holdout_rate", json()), "{:.1f}%"),
                      NbaPercent(row.value("lift", json()), "{:+.1f}") + " " +
                          NbaInterval(row.value("lift_interval", json())),
                      row.value("positive", false) ? "*"
                      : row.value("tested", false) ? ""
                                                   : "(too few)"});
    }
    PrintTable(rows);
  }
}

void PrintProfileNextBestAction(const json& n) {
  const json rec = n.value("recommended", json());
  const json seg = n.value("segment", json());
  std::cout << fmt::format(
      "{} in funnel {}: last step {}{}; group {}; next best action: {}\n", n.value("profile", ""),
      n.value("funnel", ""), n.value("last_step", 0), n.value("stuck", false) ? " (stuck)" : "",
      seg.is_string() ? "segment " + seg.get<std::string>() : std::string("everyone"),
      rec.is_string() ? rec.get<std::string>() : std::string("not enough evidence"));
}

}  // namespace

void AddNextBestActionFlags(CLI::App* cmd, DriverArgs& a) {
  cmd->add_option("--next-best-action", a.next_best_action,
                  "Next best action: the journeys and messages with the highest holdout lift on "
                  "step K -> K+1 for people who entered them at step K (with --segment: one "
                  "table)");
  cmd->add_option("--next-best-action-for", a.next_best_for,
                  "Next best action of one profile (its step and segment now)");
  cmd->add_flag("--refresh", a.refresh, "Next best action: recompute the snapshot now");
}

void RunNextBestAction(Globals& g, const std::string& id, const std::string& segment,
                       const DriverArgs& a) {
  if (id.empty()) {
    g.exit_code = PrintError(
        Status::InvalidArgument("next best action: give a stored funnel id (not --steps)"));
    return;
  }
  if (!a.next_best_for.empty()) {
    LocalOrRemote(
        g, true,
        [&](Engine& e) {
          Result<ProfileNextBestAction> r = e.NextBestActionFor(a.next_best_for, FunnelId(id));
          if (!r.ok()) return PrintError(r.status());
          return Show(g, wire::ToJson(*r), PrintProfileNextBestAction);
        },
        [&] {
          return Show(g,
                      RemoteCall(g, "GET",
                                 "/api/profiles/" + UrlEncode(a.next_best_for) +
                                     "/next-best-action" + QueryString(json{{"funnel", id}})),
                      PrintProfileNextBestAction);
        });
    return;
  }
  json q = {{"step", a.next_best_action}};
  if (!segment.empty()) q["segment"] = segment;
  if (a.refresh) q["refresh"] = "true";
  auto query = wire::ParseNextBestActionQuery(id, q);
  if (!query.ok()) {
    g.exit_code = PrintError(query.status());
    return;
  }
  LocalOrRemote(
      g, true,
      [&](Engine& e) {
        Result<NextBestActionReport> r = e.FunnelNextBestAction(*query);
        if (!r.ok()) return PrintError(r.status());
        return Show(g, wire::ToJson(*r), PrintNextBestAction);
      },
      [&] {
        return Show(
            g,
            RemoteCall(g, "GET",
                       "/api/funnels/" + UrlEncode(id) + "/next-best-action" + QueryString(q)),
            PrintNextBestAction);
      });
}

}  // namespace signpost::cli
