#include "cli/command_support.h"

namespace signpost::cli {

void RegisterGoals(CLI::App& app, Globals& g) {}

}  // namespace signpost::cli
