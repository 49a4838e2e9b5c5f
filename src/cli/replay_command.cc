// `signpost replay`: back-test a journey on stored events, with no real sends.
#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

void PrintSteps(const nlohmann::json& steps);         // journeys_command.cc
void PrintGoalSummary(const nlohmann::json& report);  // journeys_command.cc

void RegisterReplay(CLI::App& app, Globals& g) {
  struct Args {
    std::string journey, from, to;
  };
  auto a = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("replay", "Back-test a journey on stored events (nothing is sent)");
  cmd->add_option("--journey", a->journey, "The journey")->required();
  cmd->add_option("--from", a->from, "Start of the window (ISO 8601)")->required();
  cmd->add_option("--to", a->to, "End of the window (ISO 8601)")->required();
  cmd->callback([&g, a] {
    const nlohmann::json body = {{"journey", a->journey}, {"from", a->from}, {"to", a->to}};
    auto req = wire::ParseReplayRequest(body);
    if (!req.ok()) {
      g.exit_code = PrintError(req.status());
      return;
    }
    auto text = [](const nlohmann::json& r) {
      std::cout << fmt::format("replay of {} v{} from {} to {}: {} events used of {}\n",
                               r.value("journey", ""), r["version"].dump(), r.value("from", ""),
                               r.value("to", ""), r["events_used"].dump(), r["events_read"].dump());
      PrintSteps(r["steps"]);
      std::cout << "would send: " << r["messages"]["would_send"].dump() << " by channel "
                << r["messages"]["by_channel"].dump() << "\n";
      if (r.contains("goal")) PrintGoalSummary(r["goal"]);
    };
    LocalOrRemote(
        g, true, [&](Engine& e) { return Show(g, Written(e.Replay(*req)), text); },
        [&] { return Show(g, RemoteCall(g, "POST", "/api/replay", body.dump()), text); });
  });
}

}  // namespace signpost::cli
