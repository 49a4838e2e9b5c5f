// Engine::Impl: the state one Engine owns: the store, the profile store and the services, shared
// by the facade's engine_*.cc files. Internal to src/engine.
#pragma once

#include <memory>

#include "engine/alert_service.h"
#include "engine/audit_service.h"
#include "engine/definition_service.h"
#include "engine/delivery_service.h"
#include "engine/engine_channels.h"
#include "engine/event_service.h"
#include "engine/experiment_service.h"
#include "engine/funnel_service.h"
#include "engine/goal_service.h"
#include "engine/journey_service.h"
#include "engine/next_best_action_service.h"
#include "engine/privacy_service.h"
#include "engine/profile_service.h"
#include "engine/regulations.h"
#include "engine/retention_service.h"
#include "engine/segment_service.h"
#include "identity/profile_store.h"
#include "signpost/engine.h"
#include "store/store.h"

namespace signpost {

namespace engine {
class CatalogService;  // catalog_service.h
class ReplayService;
}  // namespace engine

struct Engine::Impl {
  Impl();
  ~Impl();

  EngineOptions options;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  // The durable store of the data folder, opened first, closed last; `profiles` writes events
  // through it (declared before it, so destroyed after it).
  std::unique_ptr<store::Store> storage;
  std::unique_ptr<identity::ProfileStore> profiles;
  // Tombstones and suppressions every commit checks (privacy); opened before the write path.
  std::unique_ptr<engine::Regulations> regulations;
  // The audit log of admin actions (the facade records each one).
  std::unique_ptr<engine::AuditService> audit;
  // The `kind: settings` in force; opened before the services that read them.
  std::unique_ptr<engine::SettingsService> settings;
  // The write path and the analytics index.
  std::unique_ptr<engine::EventService> events;
  // The event catalog, tracking plans and drift (catalog_service.h): observes `events`' commits
  // and screens its items; reset after `events`.
  std::unique_ptr<engine::CatalogService> catalog;
  // ---- privacy: retention: enforces settings.retention through `events` (retention_service.h)
  std::unique_ptr<engine::RetentionService> retention;
  // Profiles as the admin API shows them, read from `profiles`.
  std::unique_ptr<engine::ProfileService> profile_reports;

  // The services after the write path, in data-flow order: opened in this order by Engine::Open
  // (segments, funnels, delivery, channels, goals, experiments, then journeys), closed in reverse
  // by ~Engine.
  std::unique_ptr<engine::SegmentService> segments;
  std::unique_ptr<engine::FunnelService> funnels;
  // Next best action snapshots over `funnels` (next_best_action_service.h).
  std::unique_ptr<engine::NextBestActionService> next_best_actions;
  std::unique_ptr<engine::DeliveryService> delivery;
  std::unique_ptr<engine::ChannelService> channels;
  std::unique_ptr<engine::GoalService> goals;
  std::unique_ptr<engine::ExperimentService> experiments;
  std::unique_ptr<engine::JourneyService> journeys;
  int64_t journey_ready_lag_ms = 30'000;  // /readyz: journeys further behind are not ready
  // Back-tests of journeys (engine_journeys.h), over the services above; opened after them.
  std::unique_ptr<engine::ReplayService> replay;
  // Privacy regulations (erase, suppress) over every service above; opened after them, its
  // interrupted regulations completed at the end of Engine::Open.
  std::unique_ptr<engine::PrivacyService> privacy;
  // Applies definitions through the services above (each stores its own kind); opened last,
  // closed first.
  std::unique_ptr<engine::DefinitionService> definitions;
  // Alert incidents and their detectors (engine_alerts.cc); opened after `definitions` (it reads
  // the funnels and journeys), closed before it.
  std::unique_ptr<engine::AlertService> alerts;

  store::Store& store() { return *storage; }
  const store::Store& store() const { return *storage; }
};

// The Impl of `engine`, for tests (src/engine, src/api) that play a service's part (e.g. the
// runtime's, through DeliveryService::Enqueue). The reference lives as long as the engine.
Engine::Impl& ImplOf(Engine& engine);

// Opens impl.alerts over the services above (engine_alerts.cc).
Status OpenAlerts(Engine::Impl& impl);

}  // namespace signpost
