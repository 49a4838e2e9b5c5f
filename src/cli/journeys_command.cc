#include "cli/command_support.h"

namespace signpost::cli {

void RegisterJourneys(CLI::App& app, Globals& g) {}

}  // namespace signpost::cli
