// Environment variables for command-line options: every option of a command gets one, named
// from its long name (--journey-partitions → SIGNPOST_JOURNEY_PARTITIONS), so a service manager
// (a systemd EnvironmentFile, a container's env) configures `serve` without a command line, and
// an option added later gets its variable without anyone remembering to. A value on the command
// line wins over the variable, the variable over the default (CLI11's envname); `--help` shows
// each option's variable.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace signpost::cli {

// The variable of long option `name` ("journey-partitions" or "--journey-partitions"):
// `prefix` + the name in upper case with '-' as '_'.
std::string EnvNameOf(std::string_view name, std::string_view prefix = "SIGNPOST_");

// Gives every option of `cmd` with a long name and no variable yet its EnvNameOf, except the
// help and version flags. Call after the command's last option is added.
void AddEnvNames(CLI::App& cmd, std::string_view prefix = "SIGNPOST_");

}  // namespace signpost::cli
