// `signpost funnel F --drivers K` and `--importance`: the funnel insights' flags, their query and
// their text output. The funnel command (funnel_command.cc) adds the flags and hands the run here.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"

namespace signpost::cli {

struct DriverArgs {
  int step = 0;  // --drivers K; 0: not asked
  std::string target, properties, traits, segments, fdr;
  int min_count = 0, max_values = 0, top = 0;
  bool importance = false;  // --importance
  std::string l2;
  int next_best_action = 0;   // --next-best-action K; 0: not asked
  std::string next_best_for;  // --next-best-action-for PROFILE
  bool refresh = false;       // --refresh: recompute the snapshot now
};

// Adds --drivers and its flags to the funnel command.
void AddDriverFlags(CLI::App* funnel, DriverArgs& args);

// Runs the drivers query (`funnel_query`: the funnel flags as the API's query document; `id`: the
// stored funnel, empty for ad-hoc steps) locally or against the server, prints it (text or
// --json) and sets g.exit_code.
void RunDrivers(Globals& g, const std::string& id, const nlohmann::json& funnel_query,
                const DriverArgs& args);
// The same for --importance (with --segments and --l2).
void RunImportance(Globals& g, const std::string& id, const nlohmann::json& funnel_query,
                   const DriverArgs& args);

// `--next-best-action K [--segment S] [--refresh]` (next_best_action_command.cc): the ranked
// table of a stored funnel's step; `--next-best-action-for PROFILE`: one person's. Local or remote,
// text or --json; sets g.exit_code.
void AddNextBestActionFlags(CLI::App* funnel, DriverArgs& args);
void RunNextBestAction(Globals& g, const std::string& id, const std::string& segment,
                       const DriverArgs& args);

}  // namespace signpost::cli
