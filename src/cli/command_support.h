// What every subcommand file shares: opening the engine for a command (or, in remote mode, calling
// the server instead), and printing a JSON result (as JSON with --json, as text otherwise). Also
// declares the Register* function of each command file, so commands.cc can add them all.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "signpost/engine.h"
#include "wire/wire.h"

namespace signpost::cli {

inline Result<std::unique_ptr<Engine>> OpenEngine(const Globals& g, bool load_index) {
  EngineOptions options;
  options.data_dir = g.data_dir;
  options.load_index = load_index;
  return Engine::Open(options);
}

// Runs `body` against an opened engine and records the exit code it returns.
template <class F>
void WithEngine(Globals& g, bool load_index, F body) {
  auto engine = OpenEngine(g, load_index);
  if (!engine.ok()) {
    g.exit_code = PrintError(engine.status());
    return;
  }
  g.exit_code = body(**engine);
}

// Runs `remote()` in remote mode (remote.h), else `local` against an opened engine; records the
// exit code the one that ran returns. Both print the same output for the same question.
template <class Local, class Remote>
void LocalOrRemote(Globals& g, bool load_index, Local local, Remote remote) {
  if (IsRemote(g)) {
    g.exit_code = remote();
    return;
  }
  WithEngine(g, load_index, local);
}

// Prints a JSON result with --json, or through `text` otherwise; returns the exit code.
template <class Text>
int Show(const Globals& g, const Result<nlohmann::json>& r, Text text) {
  if (!r.ok()) return PrintError(r.status());
  if (g.json) {
    PrintJson(*r);
  } else {
    text(*r);
  }
  return 0;
}

// A typed result as its one JSON form (src/wire), for Show.
template <class T>
Result<nlohmann::json> Written(const Result<T>& r) {
  if (!r.ok()) return r.status();
  return wire::ToJson(*r);
}

inline int ShowJson(const Globals& g, const Result<nlohmann::json>& r) {
  return Show(g, r, [](const nlohmann::json& doc) { PrintJson(doc); });
}

// Prints the summaries of `import` (one document for one file, else the list); returns 0.
int PrintImportSummaries(const Globals& g, const nlohmann::json& summaries);
// `import` in remote mode: uploads each file and prints the server's summaries (remote_import.cc).
int RemoteImport(const Globals& g, const std::vector<std::string>& files,
                 const std::string& format);

// One per command file.
void RegisterDefinitions(CLI::App& app, Globals& g);  // apply_command.cc: apply, diff, delete
void RegisterFunnel(CLI::App& app, Globals& g);       // funnel_command.cc
void RegisterSegments(CLI::App& app, Globals& g);     // segments_command.cc: segments, --profile
void RegisterJourneys(CLI::App& app, Globals& g);  // journeys_command.cc: journeys, journey state
void RegisterGoals(CLI::App& app, Globals& g);     // goals_command.cc
void RegisterReplay(CLI::App& app, Globals& g);    // replay_command.cc
void RegisterDelivery(CLI::App& app, Globals& g);  // delivery_command.cc: outbox
void RegisterPrivacy(CLI::App& app, Globals& g);   // privacy_command.cc: erase, (un)suppress
void RegisterExperiments(CLI::App& app,
                         Globals& g);            // experiments_command.cc: splits, --lift, --money
void RegisterExport(CLI::App& app, Globals& g);  // privacy_export_command.cc: export ID
void RegisterRetention(CLI::App& app, Globals& g);  // retention_command.cc (privacy: retention)
void RegisterAlerts(CLI::App& app, Globals& g);     // alerts_command.cc
}  // namespace signpost::cli
