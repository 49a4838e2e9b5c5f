// `signpost experiments`: split-step reports (all, or one journey's), a journey's holdout lift
// (--lift), its money (--money) and its `channel: auto` steps' channel reports (--channels).
#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

namespace {

using nlohmann::json;

std::string Cell(const json& v) {
  if (v.is_null()) return "—";
  if (v.is_number_float()) return fmt::format("{:.4g}", v.get<double>());
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string Range(const json& interval) {
  if (!interval.is_array() || interval.size() != 2) return "—";
  return fmt::format("[{}, {}]", Cell(interval[0]), Cell(interval[1]));
}

void PrintWarnings(const json& doc) {
  for (const auto& w : doc.value("warnings", json::array()))
    std::cout << "warning: " << Cell(w) << "\n";
}

void PrintExperiments(const json& doc, const std::string& journey) {
  size_t shown = 0;
  for (const auto& e : doc["experiments"]) {
    if (!journey.empty() && e["journey"] != journey) continue;
    ++shown;
    std::cout << fmt::format("{} / {}  metric {}  {}{}\n", Cell(e["journey"]), Cell(e["step"]),
                             Cell(e["metric"]), Cell(e["state"]),
                             e["winner"].is_null() ? "" : "  winner " + Cell(e["winner"]));
    std::vector<std::vector<std::string>> rows = {
        {"variant", "weight %", "entered", "converted", "rate", "interval", "P(best)", "p-value"}};
    for (const auto& v : e["variants"]) {
      rows.push_back({Cell(v["id"]), Cell(v["weight"]), Cell(v["entered"]), Cell(v["converted"]),
                      Cell(v["rate"]), Range(v["interval"]), Cell(v["prob_best"]),
                      Cell(v["p_value"])});
    }
    PrintTable(rows);
    PrintWarnings(e);
    std::cout << "\n";
  }
  if (shown == 0) std::cout << "No experiments (a journey experiments through a `split` step).\n";
}

void PrintChannels(const json& doc) {
  if (doc["channels"].empty())
    std::cout << "No channel optimization (a message step with `channel: auto`).\n";
  for (const auto& c : doc["channels"]) {
    std::cout << fmt::format("{} / {}  channel: auto, default {}, control share {}\n",
                             Cell(c["journey"]), Cell(c["step"]), Cell(c["default"]),
                             Cell(c["control_share"]));
    auto table = [](const json& r) {
      std::vector<std::vector<std::string>> rows = {
          {"channel", "sent", "converted", "rate", "interval"}};
      auto row = [&rows](const std::string& name, const json& a) {
        rows.push_back(
            {name, Cell(a["sent"]), Cell(a["converted"]), Cell(a["rate"]), Range(a["interval"])});
      };
      for (const auto& ch : r["channels"]) row(Cell(ch["channel"]), ch);
      row("(control)", r["control"]);
      row("(optimized)", r["optimized"]);
      PrintTable(rows);
      const json& l = r["lift"];
      std::cout << fmt::format("lift of optimized over control: {} {}; relative {} {}\n",
                               Cell(l["absolute"]), Range(l["absolute_interval"]),
                               Cell(l["relative"]), Range(l["relative_interval"]));
    };
    table(c);
    for (const auto& seg : c["segments"]) {
      std::cout << fmt::format("\nsegment {}\n", Cell(seg["segment"]));
      table(seg);
    }
    PrintWarnings(c);
    std::cout << "\n";
  }
}

// The channel reports of every `channel: auto` step of `journey`, or of `step` only: the journey's
// JSON from `journey_doc`, each step's report from `report` (the engine's, or the server's).
template <class JourneyDoc, class Report>
Result<json> Channels(const std::string& journey, const std::string& step, JourneyDoc journey_doc,
                      Report report) {
  std::vector<std::string> steps;
  if (!step.empty()) {
    steps.push_back(step);
  } else {
    SP_ASSIGN_OR_RETURN(json j, journey_doc());
    for (const json& s : j["steps"]) {
      if (s.value("channel", "") == "auto") steps.push_back(s["id"].get<std::string>());
    }
  }
  json out = json::array();
  for (const auto& s : steps) {
    SP_ASSIGN_OR_RETURN(json r, report(s));
    out.push_back(std::move(r));
  }
  return json{{"journey", journey}, {"channels", out}};
}

void PrintLift(const json& doc) {
  std::cout << fmt::format("{}: treated {} entered, {} attained; holdout {} entered, {} attained\n",
                           Cell(doc["journey"]), Cell(doc["treated"]["entered"]),
                           Cell(doc["treated"]["attained"]), Cell(doc["holdout"]["entered"]),
                           Cell(doc["holdout"]["attained"]));
  std::vector<std::vector<std::string>> rows = {
      {"", "treated", "holdout", "lift", "interval", "relative", "interval"}};
  auto row = [&rows](const std::string& name, const json& l) {
    rows.push_back({name, Cell(l["treated_rate"]), Cell(l["holdout_rate"]), Cell(l["absolute"]),
                    Range(l["absolute_interval"]), Cell(l["relative"]),
                    Range(l["relative_interval"])});
  };
  row("goal", doc["goal"]);
  for (const auto& s : doc["steps"])
    row(fmt::format("step {} {}", Cell(s["step"]), Cell(s["name"])), s);
  PrintTable(rows);
  PrintWarnings(doc);
}

void PrintMoney(const json& doc) {
  std::vector<std::vector<std::string>> rows = {
      {"channel", "messages", "cost each", "from", "cost"}};
  for (const auto& m : doc["messages"])
    rows.push_back({Cell(m["channel"]), Cell(m["messages"]), Cell(m["cost_per_message"]),
                    Cell(m["cost_source"]) == "query" ? "--cost" : "channel definition",
                    Cell(m["cost"])});
  PrintTable(rows);
  std::cout << fmt::format("total cost {}; treated {}\n\n", Cell(doc["total_cost"]),
                           Cell(doc["treated"]));
  rows = {{"progressed to", "profiles", "cost per progressed"}};
  rows.push_back(
      {"goal", Cell(doc["goal"]["progressed"]), Cell(doc["goal"]["cost_per_progressed"])});
  for (const auto& s : doc["steps"])
    rows.push_back({fmt::format("step {} {}", Cell(s["step"]), Cell(s["name"])),
                    Cell(s["progressed"]), Cell(s["cost_per_progressed"])});
  PrintTable(rows);
  const json& r = doc["revenue"];
  std::cout << fmt::format(
      "\nrevenue ({} of the credited goal hit): total {}, per profile {}; lifetime (all goal "
      "events since entry) {}, LTV {}\n",
      Cell(r["property"]), Cell(r["total"]), Cell(r["revenue_per_profile"]),
      Cell(r["lifetime_total"]), Cell(r["ltv"]));
  rows = {{"group", "profiles", "revenue", "per profile", "lifetime", "LTV"}};
  for (const auto& g : r["by_group"])
    rows.push_back({Cell(g["group"]), Cell(g["profiles"]), Cell(g["revenue"]),
                    Cell(g["revenue_per_profile"]), Cell(g["lifetime_revenue"]), Cell(g["ltv"])});
  PrintTable(rows);
  PrintWarnings(doc);
}

}  // namespace

void RegisterExperiments(CLI::App& app, Globals& g) {
  struct Args {
    std::string journey, funnel, cost, revenue, step;
    bool lift = false, money = false, channels = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "experiments", "Split tests (variants, rates, winner), holdout lift, money, channel choice");
  cmd->add_option("journey", a->journey,
                  "Only this journey's experiments (required with --lift / --money / --channels)");
  cmd->add_flag(
      "--channels", a->channels,
      "Channel optimization (`channel: auto` steps): each channel's rate, control against "
      "optimized, the lift");
  cmd->add_option("--step", a->step, "With --channels: only this step");
  cmd->add_flag("--lift", a->lift,
                "Goal and goal-step rates of treated against holdout, with the lift");
  cmd->add_flag("--money", a->money,
                "Cost per progressed profile and revenue / LTV by funnel step");
  cmd->add_option("--funnel", a->funnel, "The funnel whose steps are the goal steps");
  cmd->add_option("--cost", a->cost,
                  "Cost per message per channel, overriding the channels' `cost_per_message`: "
                  "email=0.001,sms=0.02");
  cmd->add_option("--revenue", a->revenue,
                  "The goal event's revenue property (default revenue, i.e. properties.revenue)");
  cmd->callback([&g, a] {
    if ((a->lift || a->money || a->channels) && a->journey.empty()) {
      g.exit_code = PrintError(
          Status::InvalidArgument("journey: --lift, --money and --channels need a JOURNEY"));
      return;
    }
    json q = json::object();
    if (!a->funnel.empty()) q["funnel"] = a->funnel;
    if (!a->revenue.empty()) q["revenue"] = a->revenue;
    for (size_t start = 0; start < a->cost.size();) {
      size_t comma = a->cost.find(',', start);
      std::string item =
          a->cost.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      size_t eq = item.find('=');
      if (eq == std::string::npos) {
        g.exit_code = PrintError(Status::InvalidArgument(fmt::format(
            "--cost: '{}' is not channel=amount; write e.g. --cost email=0.001,sms=0.02", item)));
        return;
      }
      q["cost." + item.substr(0, eq)] = item.substr(eq + 1);
      start = comma == std::string::npos ? a->cost.size() : comma + 1;
    }
    auto lift = wire::ParseHoldoutLiftQuery(q);
    Result<MoneyQuery> money = MoneyQuery();
    if (a->money) money = wire::ParseMoneyQuery(q);
    if (!money.ok()) {
      g.exit_code = PrintError(money.status());
      return;
    }
    if (a->lift && !lift.ok()) {
      g.exit_code = PrintError(lift.status());
      return;
    }
    auto experiments = [&](const json& doc) { PrintExperiments(doc, a->journey); };
    LocalOrRemote(
        g, false,
        [&](Engine& e) {
          if (a->lift) return Show(g, wire::ToJson(e.HoldoutLift(a->journey, *lift)), PrintLift);
          if (a->money)
            return Show(g, wire::ToJson(e.JourneyMoney(a->journey, *money)), PrintMoney);
          if (a->channels)
            return Show(g,
                        Channels(
                            a->journey, a->step, [&] { return Written(e.Journey(a->journey)); },
                            [&](const std::string& s) {
                              return wire::ToJson(e.ChannelReport(a->journey, s));
                            }),
                        PrintChannels);
          return Show(g, wire::ToJson(e.Experiments()), experiments);
        },
        [&] {
          const std::string path = "/api/journeys/" + UrlEncode(a->journey);
          if (a->lift)
            return Show(g, RemoteCall(g, "GET", path + "/lift" + QueryString(q)), PrintLift);
          if (a->money)
            return Show(g, RemoteCall(g, "GET", path + "/money" + QueryString(q)), PrintMoney);
          if (a->channels)
            return Show(g,
                        Channels(
                            a->journey, a->step, [&] { return RemoteCall(g, "GET", path); },
                            [&](const std::string& s) {
                              return RemoteCall(g, "GET", path + "/channels/" + UrlEncode(s));
                            }),
                        PrintChannels);
          return Show(g, RemoteCall(g, "GET", "/api/experiments"), experiments);
        });
  });
}

}  // namespace signpost::cli
