// JSON at the edge for the event catalog and schema drift (signpost/event_catalog.h): the query of
// GET /api/catalog read from JSON, the reports written as docs/openapi.yaml's documents.
// Conventions as wire.h (a header of its own while wire.h is shared).
//
// Thread-safety: pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "signpost/event_catalog.h"
#include "signpost/status.h"

namespace signpost::wire {

// Fields: search (text, at most 256 bytes), hours (0..1344, default 48).
Result<CatalogQuery> ParseCatalogQuery(const nlohmann::json& query);
// {now, plans, limits: {max_events, events_over_cap, max_properties, profile_budget_per_day,
// profile_every}, events: [{type, name, count, profiled, first_seen, last_seen, hourly: [{hour,
// count}], sources: [{library, version, count}], properties: [{path, types: [{type, count,
// share}], seen, presence, first_seen, last_seen, sensitive, examples}], properties_over_cap,
// plans, violations: [{plan, version, property, rule, message, count, blocked, last_at}]}]};
// times ISO 8601 (null when unknown).
nlohmann::json ToJson(const EventCatalogReport& report);
// {now, findings: [{key, kind, event, event_type, property, suggestion, title, detail,
// first_detected, affected: [{kind, id, where}]}]}.
nlohmann::json ToJson(const DriftReport& report);

}  // namespace signpost::wire
