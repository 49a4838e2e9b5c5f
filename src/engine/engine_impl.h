// Engine::Impl: the state one Engine owns, shared by the engine_*.cc files (one per area:
// ingest, profiles, definitions and funnels). Internal to src/engine.
#pragma once

#include <memory>

#include "engine/delivery_service.h"
#include "engine/event_service.h"
#include "engine/journey_service.h"
#include "engine/segment_service.h"
#include "identity/profile_store.h"
#include "signpost/engine.h"
#include "store/store.h"

namespace signpost {

// The state of each area, defined in engine_<area>.h; Impl owns one of each.

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
  // The write path and the analytics index.
  std::unique_ptr<engine::EventService> events;

  // Areas (engine_<area>.cc). Opened in Engine::Open after the index (segments, delivery, then
  // journeys), closed in reverse order by ~Engine.
  std::unique_ptr<engine::SegmentService> segments;
  std::unique_ptr<engine::DeliveryService> delivery;
  std::unique_ptr<engine::JourneyService> journeys;

  store::Store& store() { return *storage; }
  const store::Store& store() const { return *storage; }

  // The last completed step (1-based; 0 none) of `profile` in stored funnel `funnel` at `now`.
  Result<int> LastStepOf(std::string_view funnel, ProfileId profile, TimeMs now) const;
  // The people list of a funnel query; appends every identity of each person to `identities`
  // when not null.
  Result<nlohmann::json> PeopleJson(std::string_view id, const nlohmann::json& query,
                                    std::vector<std::string>* identities) const;
  // Apply of each kind: validates `text` completely, then stores it as a new version
  // (engine_definitions.cc dispatches on `kind`).
  Result<nlohmann::json> ApplyFunnel(std::string_view text, std::string_view note);  // funnels
  // Stores a validated definition as a new version; returns {"kind","id","version","note"}.
  Result<nlohmann::json> StoreDefinition(store::DefinitionKind kind, std::string_view id,
                                         std::string_view text, std::string_view note);
};

// The Impl of `engine`, for tests (src/engine, src/api) that play a service's part (e.g. the
// runtime's, through DeliveryService::Enqueue). The reference lives as long as the engine.
Engine::Impl& ImplOf(Engine& engine);

}  // namespace signpost
