// The JSON documents of imports and dead-letter reimports, written once for the admin API's routes
// (routes_import.cc) and the command line's local mode, so both print the same bytes.
// Thread-safety: pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "signpost/engine.h"

namespace signpost::api {

// {file: name, accepted, duplicates, rejected, rejections: [the first 20 {location, field,
// reason}], refused_merges, seconds, events_per_second}.
nlohmann::json ImportSummaryJson(const std::string& name, const ImportSummary& summary);
// {accepted, duplicates, still_rejected} of a dead-letter reimport.
nlohmann::json ReimportJson(const IngestOutcome& outcome);

}  // namespace signpost::api
