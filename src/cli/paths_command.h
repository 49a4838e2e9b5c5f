// `signpost funnel F --paths K`: multi-path reporting's flags, query and text output. The funnel
// command (funnel_command.cc) adds the flags and hands the run here.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"

namespace signpost::cli {

struct PathArgs {
  int step = 0;  // --paths K; 0: not asked
  int max_length = 0;
  bool collapse_repeats = false;
};

// Adds --paths, --max-length and --collapse-repeats to the funnel command (--top is the funnel's).
void AddPathFlags(CLI::App* funnel, PathArgs& args);

// Runs the paths query (`funnel_query`: the funnel flags as the API's query document; `id`: the
// stored funnel, empty for ad-hoc steps) locally or against the server, prints it (text or --json)
// and sets g.exit_code.
void RunPaths(Globals& g, const std::string& id, const nlohmann::json& funnel_query,
              const PathArgs& args);

}  // namespace signpost::cli
