#include "cli/command_support.h"

namespace signpost::cli {

void RegisterDelivery(CLI::App& app, Globals& g) {}

}  // namespace signpost::cli
