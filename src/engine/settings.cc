#include "engine/settings.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "engine/definition_records.h"
#include "store/store.h"

namespace signpost::engine {

namespace {

using nlohmann::json;

// ---- journeys: frequency_cap -------------------------------------------------------------------

Status ParseFrequencyCap(const YAML::Node& node, Settings& out) {
  if (!node.IsMap() || !node["per_day"])
    return Status::InvalidArgument("settings.frequency_cap: expected { per_day: <messages> }");
  int cap = -1;
  try {
    cap = node["per_day"].as<int>();
  } catch (const YAML::Exception&) {
    cap = -1;
  }
  if (cap < 0) {
    return Status::InvalidArgument(
        "settings.frequency_cap.per_day: expected a whole number of messages (0 = no cap)");
  }
  out.frequency_cap_per_day = cap;
  return Status::Ok();
}

// ---- privacy: retention -----------------------------------------------------------------------

constexpr std::string_view kRetentionForm =
    "expected { events: <duration>, by_event: { \"<event name>\": <duration>, ... } } with "
    "durations like 400d, 30d, 12w (0s = keep forever)";

Result<DurationMs> ParseRetentionPeriod(const YAML::Node& node, std::string_view field) {
  if (!node.IsScalar()) {
    return Status::InvalidArgument(
        fmt::format("settings.retention.{}: expected a duration like 400d or 12w", field));
  }
  auto d = ParseDuration(node.Scalar());
  if (!d.ok()) {
    return Status::InvalidArgument(
        fmt::format("settings.retention.{}: {}", field, d.status().message()));
  }
  if (*d != 0 && *d < kDayMs) {
    return Status::InvalidArgument(fmt::format(
        "settings.retention.{}: {} is shorter than a day; keep events at least 1d (0s = forever)",
        field, node.Scalar()));
  }
  return *d;
}

Status ParseRetention(const YAML::Node& node, Settings& out) {
  if (!node.IsMap())
    return Status::InvalidArgument(fmt::format("settings.retention: {}", kRetentionForm));
  RetentionSettings r;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "events") {
      SP_ASSIGN_OR_RETURN(r.events, ParseRetentionPeriod(kv.second, "events"));
    } else if (key == "by_event") {
      if (!kv.second.IsMap()) {
        return Status::InvalidArgument(
            "settings.retention.by_event: expected a mapping of event name to duration, like { "
            "\"Page Viewed\": 30d }");
      }
      for (const auto& e : kv.second) {
        const std::string name = e.first.IsScalar() ? e.first.Scalar() : "";
        if (name.empty() || name.size() > 200) {
          return Status::InvalidArgument(
              "settings.retention.by_event: an event name must be 1 to 200 characters");
        }
        if (r.by_event.size() >= 1000) {
          return Status::InvalidArgument(
              "settings.retention.by_event: at most 1000 event names; use retention.events for "
              "the rest");
        }
        SP_ASSIGN_OR_RETURN(r.by_event[name],
                            ParseRetentionPeriod(e.second, fmt::format("by_event.{}", name)));
      }
    } else {
      return Status::InvalidArgument(
          fmt::format("settings.retention.{}: unknown field; {}", key, kRetentionForm));
    }
  }
  out.retention = std::move(r);
  return Status::Ok();
}

json RetentionBody(const RetentionSettings& r) {
  json by_event = json::object();
  for (const auto& [name, period] : r.by_event) by_event[name] = FormatDuration(period);
  return {{"events", FormatDuration(r.events)}, {"by_event", by_event}};
}

// ---- the sections ------------------------------------------------------------------------------

struct Section {
  std::string_view name;
  Status (*parse)(const YAML::Node& node, Settings& out);
};

// Every section of a settings document, in the order the error for an unknown one lists them.
constexpr Section kSections[] = {
    {"frequency_cap", ParseFrequencyCap},
    {"retention", ParseRetention},
    // ---- privacy: minimisation and tracking consent (privacy_settings.cc)
    {"privacy", [](const YAML::Node& n, Settings& s) { return ParsePrivacySection(n, s.privacy); }},
    {"consent", [](const YAML::Node& n, Settings& s) { return ParseConsentSection(n, s.consent); }},
    // ---- alerts (alert_settings.cc)
    {"alerts", [](const YAML::Node& n, Settings& s) { return ParseAlertsSection(n, s.alerts); }},
};

std::string SectionNames() {
  std::string names;
  for (const Section& s : kSections) {
    if (!names.empty()) names += ", ";
    names += s.name;
  }
  return names;
}

}  // namespace

Result<Settings> ParseSettings(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("settings: not valid YAML or JSON (line {})", e.mark.line + 1));
  }
  if (!root.IsMap()) return Status::InvalidArgument("settings: expected a mapping");
  std::string id = root["id"] && root["id"].IsScalar() ? root["id"].Scalar() : "";
  if (id != "global")
    return Status::InvalidArgument("id: settings have one id, `global`; write `id: global`");
  Settings out;
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key == "kind" || key == "id" || key == "note") continue;
    const Section* section = nullptr;
    for (const Section& s : kSections) {
      if (s.name == key) section = &s;
    }
    if (section == nullptr) {
      return Status::InvalidArgument(
          fmt::format("settings.{}: unknown setting; use one of {}", key, SectionNames()));
    }
    SP_RETURN_IF_ERROR(section->parse(kv.second, out));
  }
  return out;
}

std::string SettingsBody(const Settings& settings) {
  json body = {{"kind", "settings"},
               {"id", "global"},
               {"frequency_cap", {{"per_day", settings.frequency_cap_per_day}}}};
  // Absent when not set, so bodies stored before the section existed read the same.
  if (settings.retention != RetentionSettings{})
    body["retention"] = RetentionBody(settings.retention);
  // ---- privacy
  body["privacy"] = PrivacySectionBody(settings.privacy);
  body["consent"] = ConsentSectionBody(settings.consent);
  // ---- alerts: absent when default, so bodies stored before the section existed read the same
  if (settings.alerts != AlertSettings{}) body["alerts"] = AlertsSectionBody(settings.alerts);
  return body.dump();
}

bool RetentionSettings::any() const {
  if (events > 0) return true;
  for (const auto& [name, period] : by_event) {
    if (period > 0) return true;
  }
  return false;
}

DurationMs RetentionSettings::PeriodOf(std::string_view name) const {
  auto it = by_event.find(std::string(name));
  return it != by_event.end() ? it->second : events;
}

Result<std::unique_ptr<SettingsService>> SettingsService::Open(store::Store& store,
                                                               const Clock& clock) {
  std::unique_ptr<SettingsService> service(new SettingsService(store, clock));
  auto stored = store.definitions().Get(store::DefinitionKind::kSettings, "global");
  if (stored.ok()) {
    SP_ASSIGN_OR_RETURN(Settings settings, ParseSettings(stored->body));
    MutexLock lock(service->mu_);
    service->current_ = std::move(settings);
  } else if (stored.status().code() != Code::kNotFound) {
    return stored.status();
  }
  return service;
}

Settings SettingsService::Current() const {
  MutexLock lock(mu_);
  return current_;
}

Result<AppliedDefinition> SettingsService::Apply(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(Settings settings, ParseSettings(text));
  SP_ASSIGN_OR_RETURN(AppliedDefinition out,
                      StoreDefinition(store_, clock_.NowMs(), store::DefinitionKind::kSettings,
                                      "global", SettingsBody(settings), note));
  {
    MutexLock lock(mu_);
    current_ = settings;
  }
  for (const Observer& observer : observers_) observer(settings);
  return out;
}

void SettingsService::AddObserver(Observer observer) { observers_.push_back(std::move(observer)); }

}  // namespace signpost::engine
