// `signpost catalog` (catalog_command.cc): a header of its own while command_support.h is shared.
#pragma once

#include "cli/command_support.h"

namespace signpost::cli {

void RegisterCatalog(CLI::App& app, Globals& g);  // catalog, catalog --drift

}  // namespace signpost::cli
