// The subcommands of the `signpost` binary, registered on a CLI11 app.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace signpost::cli {

// Options every subcommand shares, and the exit code the chosen one leaves.
struct Globals {
  std::string data_dir = "./signpost-data";  // --data
  bool json = false;                         // --json: machine-readable output
  int exit_code = 0;
};

// Adds serve, import, profile, events, deadletters, keys, apply, funnel and segments to `app`.
// Each callback sets globals.exit_code (0 ok, 1 error).
void RegisterCommands(CLI::App& app, Globals& globals);

}  // namespace signpost::cli
