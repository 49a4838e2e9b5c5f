// `signpost outbox`: the delivery outbox, newest first; `--deliver` first attempts every due
// message.
#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

void RegisterDelivery(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("outbox", "List the delivery outbox (messages, states, errors)");
  auto limit = std::make_shared<size_t>(50);
  auto deliver = std::make_shared<bool>(false);
  cmd->add_option("--limit", *limit, "Messages to show, newest first (0 = all)")
      ->capture_default_str();
  cmd->add_flag("--deliver", *deliver, "First attempt every message due now once");
  cmd->callback([&g, limit, deliver] {
    auto text = [](const nlohmann::json& doc) {
      const auto& messages = doc["messages"];
      if (messages.empty()) std::cout << "the outbox is empty\n";
      for (const auto& m : messages) {
        std::cout << fmt::format("{:<8} {:<9} attempts {}  {}  {} -> {}\n",
                                 m["state"].get<std::string>(), m["channel"].get<std::string>(),
                                 m["attempts"].get<int>(), m["key"].get<std::string>(),
                                 m["template"].get<std::string>(), m["to"].get<std::string>());
        const std::string err = m["last_error"];
        if (!err.empty()) std::cout << "         " << err << "\n";
      }
    };
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          if (*deliver) {
            Status s = engine.DeliverDue();
            if (!s.ok()) return PrintError(s);
          }
          return Show(g, Written(engine.Outbox(*limit)), text);
        },
        [&] {
          if (*deliver) {
            Status s = RemoteCall(g, "POST", "/api/outbox/deliver").status();
            if (!s.ok()) return PrintError(s);
          }
          return Show(g, RemoteCall(g, "GET", fmt::format("/api/outbox?limit={}", *limit)), text);
        });
  });
}

}  // namespace signpost::cli
