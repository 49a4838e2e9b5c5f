// Alerts: GET /api/alerts (the incidents; ?state=open|acknowledged|resolved|all, kind, subject,
// limit), GET /api/alerts/{id}, POST /api/alerts/{id}/ack, /resolve and /mute ({"until": time} or
// {"for": "4h"}), POST /api/alerts/evaluate (run the detectors now). Engine: engine_alerts.cc.
#include <charconv>

#include "api/routes.h"
#include "wire/wire.h"

namespace signpost::api {

namespace {

using nlohmann::json;

Result<uint64_t> AlertIdOf(const Request& req) {
  const std::string& text = req.captures[0];
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id == 0)
    return Status::InvalidArgument("id: expected an alert id (a positive whole number)");
  return id;
}

}  // namespace

void AddAlertRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/alerts", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(AlertQuery query, wire::ParseAlertQuery(QueryJson(req)));
    return wire::ToJson(eng.Alerts(query));
  });
  AddAdmin(r, "GET", "/api/alerts/{id}", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(uint64_t id, AlertIdOf(req));
    SP_ASSIGN_OR_RETURN(AlertIncident a, eng.Alert(id));
    return wire::ToJson(a, eng.clock().NowMs());
  });
  AddAdmin(r, "POST", "/api/alerts/{id}/ack", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(uint64_t id, AlertIdOf(req));
    SP_ASSIGN_OR_RETURN(AlertIncident a, eng.AcknowledgeAlert(id));
    return wire::ToJson(a, eng.clock().NowMs());
  });
  AddAdmin(r, "POST", "/api/alerts/{id}/resolve", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(uint64_t id, AlertIdOf(req));
    SP_ASSIGN_OR_RETURN(AlertIncident a, eng.ResolveAlert(id));
    return wire::ToJson(a, eng.clock().NowMs());
  });
  AddAdmin(r, "POST", "/api/alerts/{id}/mute", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(uint64_t id, AlertIdOf(req));
    constexpr std::string_view kHint = "body: send {\"until\": time} or {\"for\": \"4h\"}";
    SP_ASSIGN_OR_RETURN(json body, ParseJsonObject(req.body, kHint));
    SP_ASSIGN_OR_RETURN(TimeMs until, wire::ParseMuteUntil(body, eng.clock().NowMs()));
    SP_ASSIGN_OR_RETURN(AlertIncident a, eng.MuteAlert(id, until));
    return wire::ToJson(a, eng.clock().NowMs());
  });
  AddAdmin(r, "POST", "/api/alerts/evaluate", [&eng](const Request&) -> Result<json> {
    SP_RETURN_IF_ERROR(eng.EvaluateAlerts());
    return wire::ToJson(eng.Alerts(AlertQuery()));
  });
}

}  // namespace signpost::api
