// The `kind: settings` document (id `global`): the engine-wide settings, one section per concern.
// `ParseSettings` reads a document, naming the bad field; `SettingsService` keeps the current
// settings, stores a new version on apply and tells its observers. Each concern owns its section:
// its fields in `Settings`, its parse function and its part of the stored body in settings.cc.
// Thread-safety: `SettingsService` is thread-safe (its own mutex; observers are set before the
// engine serves and called after the mutex is released).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "engine/alert_settings.h"
#include "engine/privacy_settings.h"
#include "signpost/clock.h"
#include "signpost/reports.h"
#include "signpost/status.h"

namespace signpost::store {
class Store;
}  // namespace signpost::store

namespace signpost::engine {

// ---- privacy: retention (src/engine/retention_service.h enforces it)
// How long stored events are kept, by event time: an event whose timestamp is older than now minus
// its period is removed. 0 = kept forever.
struct RetentionSettings {
  DurationMs events = 0;                       // every event (`retention.events`)
  std::map<std::string, DurationMs> by_event;  // by event name (track, page, screen); 0 = forever
  bool operator==(const RetentionSettings&) const = default;
  bool any() const;
  // The period of an event named `name` ("" for identify, alias, group).
  DurationMs PeriodOf(std::string_view name) const;
};

struct Settings {
  // ---- journeys: a cap on messages per profile over the last 24 hours across journeys (0 = none)
  int frequency_cap_per_day = 0;
  // ---- privacy: retention
  RetentionSettings retention;
  // ---- privacy: minimisation (`privacy`) and tracking consent (`consent`), privacy_settings.h
  PrivacySettings privacy;
  ConsentSettings consent;
  // ---- alerts: step health sensitivity and where alerts go (alert_settings.h)
  AlertSettings alerts;
};

// Reads a settings document (YAML or JSON, `kind: settings`, `id: global`); an unknown section or
// a bad value is kInvalidArgument naming the field (`settings.<section>.<field>`) and the fix.
Result<Settings> ParseSettings(std::string_view text);

// The normalized JSON body stored for `settings` (every section, defaults included), which
// ParseSettings reads back to the same settings.
std::string SettingsBody(const Settings& settings);

class SettingsService {
 public:
  using Observer = std::function<void(const Settings&)>;

  // Loads the stored settings (the defaults when none were applied).
  static Result<std::unique_ptr<SettingsService>> Open(store::Store& store, const Clock& clock);

  // The settings in force.
  Settings Current() const EXCLUDES(mu_);

  // Checks and stores a new version, then tells every observer.
  Result<AppliedDefinition> Apply(std::string_view text, std::string_view note) EXCLUDES(mu_);

  // Adds an observer, called after each apply with the new settings (not with the current ones:
  // read Current() when starting). Set before the engine serves.
  void AddObserver(Observer observer);

 private:
  SettingsService(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  store::Store& store_;
  const Clock& clock_;
  mutable Mutex mu_;
  Settings current_ GUARDED_BY(mu_);
  std::vector<Observer> observers_;
};

}  // namespace signpost::engine
