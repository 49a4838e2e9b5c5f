// The event catalog and schema drift as typed reports (Engine::EventCatalog, Engine::SchemaDrift):
// every event name and type seen, its property paths with their JSON types, volumes, sources and
// a few (masked) example values; tracking-plan violations; and the drift findings — a new event,
// a property whose type changed, a property that went missing, an event that stopped, a likely
// rename — each naming the definitions that read what drifted. src/wire writes them as the JSON
// documents of docs/openapi.yaml (`GET /api/catalog`, `GET /api/catalog/drift`).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signpost/clock.h"

namespace signpost {

// ---- the catalog
// ---------------------------------------------------------------------------------

// One JSON type of a property path and how often it was seen with it (among profiled events).
struct CatalogTypeShare {
  std::string type;  // "string", "number", "boolean", "object", "array", "null"
  uint64_t count = 0;
  double share = 0;  // count / the path's profiled occurrences
};

// A property path ("properties.plan", "properties.address.city", "traits.email").
struct CatalogProperty {
  std::string path;
  std::vector<CatalogTypeShare> types;  // most frequent first
  uint64_t seen = 0;                    // profiled events of this name that carried the path
  double presence = 0;                  // seen / profiled events of this name
  TimeMs first_seen = 0;                // event time
  TimeMs last_seen = 0;
  bool sensitive = false;             // settings.privacy.sensitive names it: examples masked
  std::vector<std::string> examples;  // at most 3 distinct, cut to 40 characters; "•••" masked
};

// A sending library (`context.library.name` / `version`).
struct CatalogSource {
  std::string library;  // "" when the events carry none
  std::string version;
  uint64_t count = 0;  // profiled events
};

// Events in one hour (event time, UTC hour start).
struct CatalogHour {
  TimeMs hour = 0;
  uint64_t count = 0;
};

// Tracking-plan violations of one rule on one event (per plan and property).
struct CatalogViolation {
  std::string plan;      // the plan's id
  uint64_t version = 0;  // the plan version that counted the last one
  std::string property;  // "properties.total"; "" for the event itself (unplanned)
  std::string rule;      // "type: number", "required", "enum", "pattern", "unplanned"
  std::string message;   // the last violation's sentence
  uint64_t count = 0;    // items that broke it since the process started
  uint64_t blocked = 0;  // of those, sent to the dead letters (mode: block)
  TimeMs last_at = 0;    // when the last one was received (clock)
};

struct CatalogEvent {
  std::string type;       // "track", "page", "screen", "identify", "group", "alias"
  std::string name;       // the event name (track), the page/screen name ("" when none)
  uint64_t count = 0;     // every committed event of this type and name
  uint64_t profiled = 0;  // those whose properties were read (every one up to a daily budget)
  TimeMs first_seen = 0;  // event time
  TimeMs last_seen = 0;
  std::vector<CatalogHour> hourly;  // the hours with events, oldest first (CatalogQuery::hours)
  std::vector<CatalogSource> sources;
  std::vector<CatalogProperty> properties;  // by path
  uint64_t properties_over_cap = 0;         // path occurrences not kept (the per-event path cap)
  std::vector<std::string> plans;           // the plans that list this event
  std::vector<CatalogViolation> violations;
};

// What GET /api/catalog asks for.
struct CatalogQuery {
  std::string search;  // case-insensitive substring of the name or of a property path; "" = all
  int hours = 48;      // hourly volumes returned for the last `hours` hours (0..1344)
};

struct EventCatalogReport {
  TimeMs now = 0;
  std::vector<CatalogEvent> events;  // by type, then name
  // The bounds the catalog keeps (beyond them it counts, and says so here).
  uint64_t max_events = 0;              // distinct (type, name) kept
  uint64_t events_over_cap = 0;         // events of names past the cap (counted only here)
  uint64_t max_properties = 0;          // distinct paths kept per event name
  uint64_t profile_budget_per_day = 0;  // events of a name profiled in full each day, then 1 in N
  uint64_t profile_every = 0;           // N
  std::vector<std::string> plans;       // tracking plans in force, "id@version (mode)"
};

// ---- schema drift
// ---------------------------------------------------------------------------------

enum class DriftKind : uint8_t {
  kNewEvent = 0,     // an event name never seen before recent days
  kTypeChange,       // a property now arrives with a JSON type it (almost) never had
  kPropertyMissing,  // a property on most events of a name is now mostly absent
  kEventStopped,     // an event that arrived steadily has not arrived for far longer than usual
  kLikelyRename,     // a known event collapsed while a similar new name appeared
};

// "new_event", "type_change", "property_missing", "event_stopped", "likely_rename".
const char* DriftKindName(DriftKind kind);

// A definition that reads the event or property a finding is about.
struct DriftAffected {
  std::string kind;   // "funnel", "journey", "segment", "goal"
  std::string id;     // the definition's id (a goal: its journey's id)
  std::string where;  // "step 2 'Email Verified'", "trigger", "wait step 'w1'", "branch step 'b'"
};

struct DriftFinding {
  std::string key;  // stable across evaluations: "drift:<kind>:<event>[:<property>]"
  DriftKind kind = DriftKind::kNewEvent;
  std::string event;          // the event name the finding is about (the old name of a rename)
  std::string event_type;     // "track", ...
  std::string property;       // "properties.plan" for type_change / property_missing; else ""
  std::string suggestion;     // likely_rename: the new name; else ""
  std::string title;          // one line
  std::string detail;         // the evidence, with numbers
  TimeMs first_detected = 0;  // when the evidence began (the same on every evaluation)
  std::vector<DriftAffected> affected;
};

struct DriftReport {
  TimeMs now = 0;
  std::vector<DriftFinding> findings;  // by kind, then key
};

}  // namespace signpost
