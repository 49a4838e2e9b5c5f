// The event catalog and schema drift documents (event_catalog_json.h).
#include "wire/event_catalog_json.h"

#include "base/time.h"
#include "wire/fields.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

json CatalogTime(TimeMs t) { return t == 0 ? json(nullptr) : json(FormatIso8601(t)); }

json CatalogEventJson(const CatalogEvent& e) {
  json hourly = json::array();
  for (const CatalogHour& h : e.hourly)
    hourly.push_back({{"hour", FormatIso8601(h.hour)}, {"count", h.count}});
  json sources = json::array();
  for (const CatalogSource& s : e.sources)
    sources.push_back({{"library", s.library}, {"version", s.version}, {"count", s.count}});
  json properties = json::array();
  for (const CatalogProperty& p : e.properties) {
    json types = json::array();
    for (const CatalogTypeShare& t : p.types)
      types.push_back({{"type", t.type}, {"count", t.count}, {"share", t.share}});
    properties.push_back({{"path", p.path},
                          {"types", std::move(types)},
                          {"seen", p.seen},
                          {"presence", p.presence},
                          {"first_seen", CatalogTime(p.first_seen)},
                          {"last_seen", CatalogTime(p.last_seen)},
                          {"sensitive", p.sensitive},
                          {"examples", p.examples}});
  }
  json violations = json::array();
  for (const CatalogViolation& v : e.violations) {
    violations.push_back({{"plan", v.plan},
                          {"version", v.version},
                          {"property", v.property},
                          {"rule", v.rule},
                          {"message", v.message},
                          {"count", v.count},
                          {"blocked", v.blocked},
                          {"last_at", CatalogTime(v.last_at)}});
  }
  return {{"type", e.type},
          {"name", e.name},
          {"count", e.count},
          {"profiled", e.profiled},
          {"first_seen", CatalogTime(e.first_seen)},
          {"last_seen", CatalogTime(e.last_seen)},
          {"hourly", std::move(hourly)},
          {"sources", std::move(sources)},
          {"properties", std::move(properties)},
          {"properties_over_cap", e.properties_over_cap},
          {"plans", e.plans},
          {"violations", std::move(violations)}};
}

}  // namespace

Result<CatalogQuery> ParseCatalogQuery(const json& query) {
  CatalogQuery q;
  if (!query.is_object()) return q;
  if (query.contains("search")) {
    SP_ASSIGN_OR_RETURN(q.search, StringField(query["search"], "search"));
    if (q.search.size() > 256) return Bad("search", "at most 256 characters");
  }
  if (query.contains("hours")) {
    SP_ASSIGN_OR_RETURN(q.hours, IntField(query["hours"], "hours"));
    if (q.hours < 0 || q.hours > 1344) return Bad("hours", "expected 0 to 1344 (8 weeks)");
  }
  return q;
}

json ToJson(const EventCatalogReport& r) {
  json events = json::array();
  for (const CatalogEvent& e : r.events) events.push_back(CatalogEventJson(e));
  return {{"now", FormatIso8601(r.now)},
          {"plans", r.plans},
          {"limits",
           {{"max_events", r.max_events},
            {"events_over_cap", r.events_over_cap},
            {"max_properties", r.max_properties},
            {"profile_budget_per_day", r.profile_budget_per_day},
            {"profile_every", r.profile_every}}},
          {"events", std::move(events)}};
}

json ToJson(const DriftReport& r) {
  json findings = json::array();
  for (const DriftFinding& f : r.findings) {
    json affected = json::array();
    for (const DriftAffected& a : f.affected)
      affected.push_back({{"kind", a.kind}, {"id", a.id}, {"where", a.where}});
    findings.push_back({{"key", f.key},
                        {"kind", DriftKindName(f.kind)},
                        {"event", f.event},
                        {"event_type", f.event_type},
                        {"property", f.property},
                        {"suggestion", f.suggestion},
                        {"title", f.title},
                        {"detail", f.detail},
                        {"first_detected", FormatIso8601(f.first_detected)},
                        {"affected", std::move(affected)}});
  }
  return {{"now", FormatIso8601(r.now)}, {"findings", std::move(findings)}};
}

}  // namespace signpost::wire
