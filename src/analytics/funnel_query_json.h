// The query document of Engine::Funnel / the HTTP API, read into a definition override and
// FunnelOptions; and people lists as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "analytics/funnel_query.h"

namespace signpost::analytics {

// Applies the fields of `query` that this module understands:
//   window ("7d"), order, entry            -> override `def`
//   from, to (ISO 8601 or epoch ms), breakdown, breakdown_attribution ("first" | "last" |
//   "step:N"), top, completion_windows ("7d,14d,30d" or a list), trend ("day" | "week"),
//   completed / dropped_at (into `people` when given)  -> `options` / `people`
// Other fields (steps, version, segment, ...) are the engine's and are ignored here.
// Returns kInvalidArgument naming the field and the accepted form on a bad value.
// Pure: thread-safe.
Status ApplyQueryJson(const nlohmann::json& query, FunnelDefinition* def, FunnelOptions* options,
                      PeopleQuery* people);

// [{"profile", "last_step", "last_step_name", "last_step_at", "stuck_ms"}, ...]
nlohmann::json ToJson(const std::vector<FunnelPerson>& people);
nlohmann::json ToJson(const FunnelPerson& person);

}  // namespace signpost::analytics
