#include "cli/command_support.h"

namespace signpost::cli {

void RegisterReplay(CLI::App& app, Globals& g) {}

}  // namespace signpost::cli
