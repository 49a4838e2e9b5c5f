#include "engine/alert_settings.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

namespace signpost::engine {

namespace {

constexpr size_t kMaxAlertEntries = 1000;  // per map and list: a settings document stays small

Status AlertsError(std::string_view field, std::string_view fix) {
  return Status::InvalidArgument(fmt::format("settings.alerts.{}: {}", field, fix));
}

Result<analytics::HealthSensitivity> SensitivityAt(const YAML::Node& node, const std::string& at) {
  if (!node.IsScalar()) return AlertsError(at, "expected off, low, medium or high");
  auto s = analytics::ParseHealthSensitivity(node.Scalar());
  if (!s.ok()) return AlertsError(at, "expected off, low, medium or high");
  return *s;
}

Status SensitivityMap(const YAML::Node& node, std::string_view field,
                      std::map<std::string, analytics::HealthSensitivity>& out) {
  if (!node.IsMap())
    return AlertsError(field, "expected a mapping of id: off | low | medium | high");
  if (node.size() > kMaxAlertEntries) return AlertsError(field, "at most 1000 entries");
  for (const auto& kv : node) {
    const std::string id = kv.first.Scalar();
    SP_ASSIGN_OR_RETURN(out[id], SensitivityAt(kv.second, fmt::format("{}.{}", field, id)));
  }
  return Status::Ok();
}

}  // namespace

analytics::HealthSensitivity AlertSettings::ForFunnel(const std::string& id) const {
  auto it = funnels.find(id);
  return it == funnels.end() ? sensitivity : it->second;
}

analytics::HealthSensitivity AlertSettings::ForJourney(const std::string& id) const {
  auto it = journeys.find(id);
  return it == journeys.end() ? sensitivity : it->second;
}

Status ParseAlertsSection(const YAML::Node& node, AlertSettings& out) {
  if (!node.IsMap())
    return Status::InvalidArgument(
        "settings.alerts: expected a mapping with sensitivity, funnels, journeys, notify");
  AlertSettings a;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "sensitivity") {
      SP_ASSIGN_OR_RETURN(a.sensitivity, SensitivityAt(kv.second, "sensitivity"));
    } else if (key == "funnels") {
      SP_RETURN_IF_ERROR(SensitivityMap(kv.second, "funnels", a.funnels));
    } else if (key == "journeys") {
      SP_RETURN_IF_ERROR(SensitivityMap(kv.second, "journeys", a.journeys));
    } else if (key == "notify") {
      if (!kv.second.IsSequence())
        return AlertsError("notify", "expected a list like [{channel: ops-slack}]");
      if (kv.second.size() > 20) return AlertsError("notify", "at most 20 targets");
      for (size_t i = 0; i < kv.second.size(); ++i) {
        const YAML::Node item = kv.second[i];
        const std::string at = fmt::format("notify[{}]", i);
        if (!item.IsMap() || !item["channel"] || !item["channel"].IsScalar())
          return AlertsError(at, "expected {channel: <a kind: channel id>, to: <address>}");
        AlertTarget t;
        t.channel = item["channel"].Scalar();
        if (item["to"]) {
          if (!item["to"].IsScalar()) return AlertsError(at + ".to", "expected an address");
          t.to = item["to"].Scalar();
        }
        for (const auto& f : item) {
          const std::string name = f.first.Scalar();
          if (name != "channel" && name != "to")
            return AlertsError(at + "." + name, "unknown field; use channel, to");
        }
        a.notify.push_back(std::move(t));
      }
    } else {
      return AlertsError(key, "unknown field; use sensitivity, funnels, journeys, notify");
    }
  }
  out = std::move(a);
  return Status::Ok();
}

nlohmann::json AlertsSectionBody(const AlertSettings& a) {
  nlohmann::json funnels = nlohmann::json::object(), journeys = nlohmann::json::object();
  for (const auto& [id, s] : a.funnels) funnels[id] = analytics::HealthSensitivityName(s);
  for (const auto& [id, s] : a.journeys) journeys[id] = analytics::HealthSensitivityName(s);
  nlohmann::json notify = nlohmann::json::array();
  for (const AlertTarget& t : a.notify) {
    nlohmann::json item = {{"channel", t.channel}};
    if (!t.to.empty()) item["to"] = t.to;
    notify.push_back(item);
  }
  return {{"sensitivity", analytics::HealthSensitivityName(a.sensitivity)},
          {"funnels", funnels},
          {"journeys", journeys},
          {"notify", notify}};
}

}  // namespace signpost::engine
