#include "cli/env_names.h"

#include <cctype>

namespace signpost::cli {

std::string EnvNameOf(std::string_view name, std::string_view prefix) {
  while (!name.empty() && name.front() == '-') name.remove_prefix(1);
  std::string out(prefix);
  for (char c : name)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void AddEnvNames(CLI::App& cmd, std::string_view prefix) {
  const CLI::Option* help = cmd.get_help_ptr();
  const CLI::Option* help_all = cmd.get_help_all_ptr();
  const CLI::Option* version = cmd.get_version_ptr();
  for (CLI::Option* opt : cmd.get_options()) {
    if (opt == help || opt == help_all || opt == version) continue;
    if (!opt->get_envname().empty() || opt->get_lnames().empty()) continue;
    opt->envname(EnvNameOf(opt->get_lnames().front(), prefix));
  }
}

}  // namespace signpost::cli
