// signpost: the command line. Each subcommand opens the Engine on --data, calls one method and
// prints the result (a table or text on a terminal, the JSON document with --json).
// Errors go to stderr as "error: <what is wrong and how to fix it>" with exit code 1.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "signpost/acting_as.h"

int main(int argc, char** argv) {
  // Logs go to stderr: stdout carries the command's output (JSON with --json). Only warnings
  // and errors, except for `serve`, which logs what it does.
  spdlog::set_default_logger(spdlog::stderr_color_mt("signpost"));
  spdlog::set_level(spdlog::level::warn);
  // The audit log records what this command changes as the local user's.
  const char* user = std::getenv("USER");
  signpost::ActingAs acting(std::string("cli:") + (user != nullptr && *user ? user : "local"));
  signpost::cli::Globals globals;
  CLI::App app{"signpost: customer journeys, goals and goal-step funnels, self-hosted"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Every subcommand's options");
  signpost::cli::RegisterCommands(app, globals);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return globals.exit_code;
}
