// `signpost retention`: removes every event older than its retention period (`kind: settings`,
// section retention) now and purges the store, then prints what it did.
#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

void RegisterRetention(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "retention", "Remove the events older than settings.retention now and purge their bytes");
  cmd->callback([&g] {
    auto text = [](const nlohmann::json& doc) {
      std::cout << fmt::format("removed {} events (retention: events {}, {} by name)",
                               doc["events_removed"].get<uint64_t>(),
                               doc["events"].get<std::string>(), doc["by_event"].size());
      if (doc["oldest_kept"].is_object()) {
        std::cout << "; oldest kept " << doc["oldest_kept"]["iso"].get<std::string>();
      }
      std::cout << (doc["purged"].get<bool>() ? "; purged\n" : "\n");
    };
    LocalOrRemote(
        g, true, [&](Engine& engine) { return Show(g, Written(engine.EnforceRetention()), text); },
        [&] { return Show(g, RemoteCall(g, "POST", "/api/retention/run"), text); });
  });
}

}  // namespace signpost::cli
