// The subcommands of the `signpost` binary, registered on a CLI11 app.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace signpost::cli {

// Options every subcommand shares, and the exit code the chosen one leaves.
struct Globals {
  std::string data_dir = "./signpost-data";  // --data
  bool json = false;                         // --json: machine-readable output
  // Remote mode (remote.h): the command calls a running server's admin API instead of opening
  // --data. Set from the flags, then SIGNPOST_SERVER / SIGNPOST_TOKEN, then the config file
  // (remote_config.h) before any command runs.
  std::string server;      // --server URL (http:// or https://); "" = local mode
  std::string token;       // --token: an admin token (`signpost keys create --kind admin`)
  std::string cacert;      // --cacert FILE: trust this CA (PEM) for an https server
  bool insecure = false;   // --insecure: do not verify the server's certificate
  double timeout_s = 300;  // --timeout: seconds a request may take, connection included
  int exit_code = 0;
};

// Adds serve, import, profile, events, deadletters, keys, apply, funnel and segments to `app`.
// Each callback sets globals.exit_code (0 ok, 1 error).
void RegisterCommands(CLI::App& app, Globals& globals);

}  // namespace signpost::cli
