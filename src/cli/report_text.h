// Human-readable renderings of the Engine's JSON documents, for a terminal.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "signpost/engine.h"

namespace signpost::cli {

void PrintImportSummary(const nlohmann::json& summary);
void PrintProfile(const nlohmann::json& profile);
void PrintEvents(const nlohmann::json& events);
void PrintDeadLetters(const nlohmann::json& letters);
void PrintKeys(const nlohmann::json& keys);
void PrintFunnel(const nlohmann::json& report);
void PrintPeople(const nlohmann::json& people);

}  // namespace signpost::cli
