// Printing helpers for the command line: errors, JSON, aligned tables, the import progress bar.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "signpost/engine.h"
#include "signpost/status.h"

namespace signpost::cli {

// Prints "error: <message>" to stderr and returns 1 (the exit code).
int PrintError(const Status& status);
// Prints `doc` as indented JSON on stdout.
void PrintJson(const nlohmann::json& doc);
// Prints rows as a left-aligned table; the first row is the header.
void PrintTable(const std::vector<std::vector<std::string>>& rows);
// True when stderr is a terminal (progress bars only then).
bool StderrIsTerminal();
// Redraws a one-line progress bar on stderr for an import.
void DrawProgress(const ImportProgress& p, double seconds);

}  // namespace signpost::cli
