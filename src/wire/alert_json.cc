// Alert incidents and lists written as JSON, and the alerts query and mute body read from JSON.
#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

json AlertAt(TimeMs t) { return {{"ms", t}, {"iso", FormatIso8601(t)}}; }
json AlertAt(const std::optional<TimeMs>& t) { return t ? AlertAt(*t) : json(nullptr); }

}  // namespace

json ToJson(const AlertIncident& a, TimeMs now) {
  const AlertFinding& f = a.finding;
  json notes = json::array();
  for (const auto& n : a.notifications)
    notes.push_back({{"channel", n.channel},
                     {"transition", n.transition},
                     {"at", AlertAt(n.at)},
                     {"ok", n.ok},
                     {"attempts", n.attempts},
                     {"error", n.error}});
  return {{"id", a.id},
          {"key", f.key},
          {"kind", f.kind},
          {"severity", AlertSeverityName(f.severity)},
          {"state", AlertStateName(a.state)},
          {"title", f.title},
          {"detail", f.detail},
          {"affected", f.affected},
          {"observed", OrNull(f.observed)},
          {"expected", OrNull(f.expected)},
          {"window_hours", OrNull(f.window_hours)},
          {"opened_at", AlertAt(a.opened_at)},
          {"last_seen_at", AlertAt(a.last_seen_at)},
          {"acknowledged_at", AlertAt(a.acknowledged_at)},
          {"acknowledged_by", a.acknowledged_by},
          {"resolved_at", AlertAt(a.resolved_at)},
          {"resolved_by", a.resolved_by},
          {"muted_until", AlertAt(a.muted_until)},
          {"muted", a.MutedAt(now)},
          {"raised", a.raised},
          {"notifications", notes}};
}

json ToJson(const AlertList& list) {
  json incidents = json::array();
  for (const AlertIncident& a : list.incidents) incidents.push_back(ToJson(a, list.now));
  return {{"incidents", incidents},
          {"open", list.open},
          {"acknowledged", list.acknowledged},
          {"now", AlertAt(list.now)},
          {"last_evaluated_at", AlertAt(list.last_evaluated_at)}};
}

Result<AlertQuery> ParseAlertQuery(const json& q) {
  AlertQuery out;
  if (const std::string state = TextOf(q, "state"); !state.empty()) {
    if (state != "open" && state != "all" && state != "acknowledged" && state != "resolved")
      return Bad("state", "expected open, acknowledged, resolved or all");
    out.state = state;
  }
  out.kind = TextOf(q, "kind");
  out.subject = TextOf(q, "subject");
  if (q.contains("limit")) {
    SP_ASSIGN_OR_RETURN(int limit, IntField(q["limit"], "limit"));
    if (limit < 1 || limit > 1000) return Bad("limit", "expected 1 to 1000");
    out.limit = static_cast<size_t>(limit);
  }
  if (out.kind.size() > 200 || out.subject.size() > 500) return Bad("kind", "too long");
  return out;
}

Result<TimeMs> ParseMuteUntil(const json& body, TimeMs now) {
  if (!body.is_object()) return Bad("body", "expected {\"until\": time} or {\"for\": \"4h\"}");
  if (body.contains("until")) return TimeField(body["until"], "until");
  if (body.contains("for")) {
    SP_ASSIGN_OR_RETURN(std::string text, StringField(body["for"], "for"));
    SP_ASSIGN_OR_RETURN(DurationMs d, DurationField(text, "for"));
    return now + d;
  }
  return Bad("until", "give `until` (a time) or `for` (a duration such as 4h)");
}

}  // namespace signpost::wire
