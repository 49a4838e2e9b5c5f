// `signpost journeys`: list journeys, show one with its step analytics, move its lifecycle.
#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

namespace {

using nlohmann::json;

std::string Num(const json& v) {
  if (v.is_null()) return "—";
  if (v.is_number_float()) return fmt::format("{:.3g}", v.get<double>());
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string Exits(const json& exits) {
  std::string out;
  for (const auto& [reason, n] : exits.items()) {
    out += (out.empty() ? "" : ", ") + reason + " " + Num(n);
  }
  return out.empty() ? "—" : out;
}

}  // namespace

// The steps of a journey (or a replay) as a table.
void PrintSteps(const json& steps) {
  std::vector<std::vector<std::string>> rows = {
      {"step", "type", "inflow", "in progress", "passed on", "exits"}};
  for (const auto& s : steps) {
    rows.push_back({s.value("id", ""), s.value("type", ""), Num(s["inflow"]), Num(s["in_progress"]),
                    Num(s["passed_on"]), Exits(s.value("exits", json::object()))});
  }
  PrintTable(rows);
}

void PrintGoalSummary(const json& r) {
  std::cout << fmt::format("goal: {}  entered {}  attained {}  rate {}",
                           r["goal"].value("type", "?"), Num(r["entered"]), Num(r["attained"]),
                           Num(r["rate"]));
  if (!r["target"].is_null()) {
    std::cout << fmt::format("  target {}  progress {}", r["target"].dump(),
                             Num(r["target_progress"]));
  }
  std::cout << "\n";
  if (r.contains("holdout") && r["holdout"].is_object() && r["holdout"].value("entered", 0) > 0) {
    std::cout << fmt::format("holdout: entered {}  attained {}  rate {}  lift {}\n",
                             Num(r["holdout"]["entered"]), Num(r["holdout"]["attained"]),
                             Num(r["holdout"]["rate"]),
                             r.contains("lift") ? r["lift"].dump() : "—");
  }
}

void RegisterJourneys(CLI::App& app, Globals& g) {
  auto* cmd =
      app.add_subcommand("journeys", "List journeys, show one's step analytics, or set its state");
  auto id = std::make_shared<std::string>();
  auto state = std::make_shared<std::string>();
  cmd->add_option("id", *id, "A journey to show");
  cmd->add_option("--state", *state, "Move the journey to live or stopped");
  cmd->callback([&g, id, state] {
    auto list = [](const json& doc) {
      std::vector<std::vector<std::string>> rows = {
          {"journey", "state", "version", "entered", "in progress", "goal attained", "rate"}};
      for (const auto& j : doc["journeys"]) {
        const json& goal = j["goal"];
        rows.push_back({j.value("id", ""), j.value("state", ""), Num(j["version"]),
                        Num(j["entered"]), Num(j["in_progress"]),
                        goal.is_null() ? "—" : Num(goal["attained"]),
                        goal.is_null() ? "—" : Num(goal["rate"])});
      }
      PrintTable(rows);
    };
    auto one = [](const json& j) {
      std::cout << fmt::format("{} ({}): {}, version {}\n", j.value("name", ""), j.value("id", ""),
                               j.value("state", ""), Num(j["version"]));
      PrintSteps(j["steps"]);
      std::cout << "totals: " << j["totals"].dump() << "\n";
    };
    if (!state->empty() && id->empty()) {
      g.exit_code = PrintError(Status::InvalidArgument("--state: name the journey"));
      return;
    }
    LocalOrRemote(
        g, false,
        [&](Engine& e) {
          if (!state->empty()) return ShowJson(g, Written(e.SetJourneyState(*id, *state)));
          if (id->empty()) return Show(g, Written(e.Journeys()), list);
          return Show(g, Written(e.Journey(*id)), one);
        },
        [&] {
          const std::string path = "/api/journeys/" + UrlEncode(*id);
          if (!state->empty())
            return ShowJson(g,
                            RemoteCall(g, "POST", path + "/state", json{{"state", *state}}.dump()));
          if (id->empty()) return Show(g, RemoteCall(g, "GET", "/api/journeys"), list);
          return Show(g, RemoteCall(g, "GET", path), one);
        });
  });
}

}  // namespace signpost::cli
