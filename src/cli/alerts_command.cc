// `signpost alerts`: the alert incidents (open ones by default), and their lifecycle:
//   signpost alerts [--state open|acknowledged|resolved|all] [--kind K] [--json]
//   signpost alerts --ack ID | --resolve ID | --mute ID --for 4h | --evaluate
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/command_support.h"

namespace signpost::cli {

namespace {

void PrintAlertIncident(const nlohmann::json& a) {
  std::string muted =
      a["muted"].get<bool>() ? " muted until " + a["muted_until"]["iso"].get<std::string>() : "";
  std::cout << fmt::format("#{} {} {} [{}] {}{}\n", a["id"].get<uint64_t>(),
                           a["state"].get<std::string>(), a["severity"].get<std::string>(),
                           a["kind"].get<std::string>(), a["title"].get<std::string>(), muted);
  std::cout << fmt::format("    opened {}, last seen {}", a["opened_at"]["iso"].get<std::string>(),
                           a["last_seen_at"]["iso"].get<std::string>());
  if (a["resolved_at"].is_object())
    std::cout << fmt::format(", resolved {} by {}", a["resolved_at"]["iso"].get<std::string>(),
                             a["resolved_by"].get<std::string>());
  std::cout << "\n";
}

void PrintAlertList(const nlohmann::json& doc) {
  std::cout << fmt::format("{} open, {} acknowledged", doc["open"].get<uint64_t>(),
                           doc["acknowledged"].get<uint64_t>());
  if (doc["last_evaluated_at"].is_object())
    std::cout << "; last evaluated " << doc["last_evaluated_at"]["iso"].get<std::string>();
  std::cout << "\n";
  for (const auto& a : doc["incidents"]) PrintAlertIncident(a);
}

}  // namespace

void RegisterAlerts(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("alerts", "Alert incidents: step health, journeys' sends, drift");
  auto state = std::make_shared<std::string>("open");
  auto kind = std::make_shared<std::string>();
  auto ack = std::make_shared<uint64_t>(0), resolve = std::make_shared<uint64_t>(0),
       mute = std::make_shared<uint64_t>(0);
  auto mute_for = std::make_shared<std::string>("4h");
  auto evaluate = std::make_shared<bool>(false);
  cmd->add_option("--state", *state, "open (default), acknowledged, resolved or all");
  cmd->add_option("--kind", *kind, "Only this kind (step_volume, send_failures, ...)");
  cmd->add_option("--ack", *ack, "Acknowledge incident ID");
  cmd->add_option("--resolve", *resolve, "Resolve incident ID");
  cmd->add_option("--mute", *mute, "Mute incident ID (for --for)");
  cmd->add_option("--for", *mute_for, "How long --mute lasts (default 4h)");
  cmd->add_flag("--evaluate", *evaluate, "Run the detectors now (needs the event index)");
  cmd->callback([&g, state, kind, ack, resolve, mute, mute_for, evaluate] {
    if (*ack || *resolve || *mute) {
      const uint64_t id = *ack ? *ack : *resolve ? *resolve : *mute;
      const std::string action = *ack ? "ack" : *resolve ? "resolve" : "mute";
      const nlohmann::json body = {{"for", *mute_for}};
      LocalOrRemote(
          g, false,
          [&](Engine& engine) {
            Result<AlertIncident> r = Status::Internal("no action");
            if (*ack) r = engine.AcknowledgeAlert(id);
            if (*resolve) r = engine.ResolveAlert(id);
            if (*mute) {
              auto until = wire::ParseMuteUntil(body, engine.clock().NowMs());
              r = until.ok() ? engine.MuteAlert(id, *until) : Result<AlertIncident>(until.status());
            }
            if (!r.ok()) return PrintError(r.status());
            return Show(g, wire::ToJson(*r, engine.clock().NowMs()), PrintAlertIncident);
          },
          [&] {
            return Show(g,
                        RemoteCall(g, "POST", fmt::format("/api/alerts/{}/{}", id, action),
                                   action == "mute" ? body.dump() : "{}"),
                        PrintAlertIncident);
          });
      return;
    }
    nlohmann::json q = {{"state", *state}};
    if (!kind->empty()) q["kind"] = *kind;
    auto query = wire::ParseAlertQuery(q);
    if (!query.ok()) {
      g.exit_code = PrintError(query.status());
      return;
    }
    LocalOrRemote(
        g, *evaluate,
        [&](Engine& engine) {
          if (*evaluate) {
            if (Status s = engine.EvaluateAlerts(); !s.ok()) return PrintError(s);
          }
          return Show(g, wire::ToJson(engine.Alerts(*query)), PrintAlertList);
        },
        [&] {
          if (*evaluate) {
            auto r = RemoteCall(g, "POST", "/api/alerts/evaluate", "{}");
            if (!r.ok()) return PrintError(r.status());
          }
          std::string path = "/api/alerts?state=" + UrlEncode(*state);
          if (!kind->empty()) path += "&kind=" + UrlEncode(*kind);
          return Show(g, RemoteCall(g, "GET", path), PrintAlertList);
        });
  });
}

}  // namespace signpost::cli
