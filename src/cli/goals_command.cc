// `signpost goals`: a journey's goal report, or who attained it.
#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

void PrintGoalSummary(const nlohmann::json& report);  // journeys_command.cc

void RegisterGoals(CLI::App& app, Globals& g) {
  struct Args {
    std::string journey, from, to, trend, segment;
    bool people = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("goals", "A journey's goal: entered, attained, rate, target, lift");
  cmd->add_option("journey", a->journey, "The journey")->required();
  cmd->add_flag("--people", a->people, "Who attained the goal, when, through which entry");
  cmd->add_option("--from", a->from, "Only entries from this time (ISO 8601)");
  cmd->add_option("--to", a->to, "Only entries before this time (ISO 8601)");
  cmd->add_option("--trend", a->trend, "Attained over time by day | week");
  cmd->add_option("--segment", a->segment, "Break down by these segments (comma-separated)");
  cmd->callback([&g, a] {
    nlohmann::json q = nlohmann::json::object();
    if (!a->from.empty()) q["from"] = a->from;
    if (!a->to.empty()) q["to"] = a->to;
    if (!a->trend.empty()) q["trend"] = a->trend;
    if (!a->segment.empty()) q["segment"] = a->segment;
    auto query = wire::ParseGoalReportQuery(q);
    if (!query.ok()) {
      g.exit_code = PrintError(query.status());
      return;
    }
    auto people = [](const nlohmann::json& doc) {
      std::vector<std::vector<std::string>> rows = {
          {"profile", "attained at", "entry", "hit", "channel"}};
      for (const auto& p : doc["people"]) {
        rows.push_back({p.value("profile", ""), p.value("attained_at", ""), p["entry"].dump(),
                        p.value("hit_event", ""), p.value("channel", "")});
      }
      PrintTable(rows);
    };
    auto report = [](const nlohmann::json& r) { PrintGoalSummary(r); };
    LocalOrRemote(
        g, false,
        [&](Engine& e) {
          if (a->people) return Show(g, Written(e.GoalPeople(a->journey, *query)), people);
          return Show(g, Written(e.GoalReport(a->journey, *query)), report);
        },
        [&] {
          const std::string path = "/api/journeys/" + UrlEncode(a->journey) + "/goal";
          if (a->people)
            return Show(g, RemoteCall(g, "GET", path + "/people" + QueryString(q)), people);
          return Show(g, RemoteCall(g, "GET", path + QueryString(q)), report);
        });
  });
}

}  // namespace signpost::cli
