// `signpost export ID`: everything signpost holds about one person, as JSON (an access or
// portability request; Engine::ExportPerson). Always JSON: the export is for the person, not a
// screen.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

void RegisterExport(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "export", "Everything signpost holds about one person (every linked identity), as JSON");
  auto id = std::make_shared<std::string>();
  auto limit = std::make_shared<size_t>(Engine::kExportEventLimit);
  auto out = std::make_shared<std::string>();
  cmd->add_option("id", *id, "userId, anonymousId, or user:/anon: identity")->required();
  cmd->add_option("--event-limit", *limit,
                  "At most this many events (the latest; the export says when there are more)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, Engine::kExportEventLimitMax));
  cmd->add_option("-o,--out", *out, "Write the JSON to this file instead of stdout");
  cmd->callback([&g, id, limit, out] {
    auto write = [&](const Result<nlohmann::json>& doc) {
      if (!doc.ok()) return PrintError(doc.status());
      if (out->empty()) {
        PrintJson(*doc);
        return 0;
      }
      std::ofstream file(*out, std::ios::trunc);
      file << doc->dump(2) << "\n";
      file.close();
      if (!file) return PrintError(Status::IoError("--out " + *out + ": cannot be written"));
      std::cerr << "signpost: exported " << *id << " to " << *out << "\n";
      return 0;
    };
    LocalOrRemote(
        g, false, [&](Engine& engine) { return write(Written(engine.ExportPerson(*id, *limit))); },
        [&] {
          return write(RemoteCall(
              g, "GET",
              fmt::format("/api/profiles/{}/export?event_limit={}", UrlEncode(*id), *limit)));
        });
  });
}

}  // namespace signpost::cli
