// Engine::Impl: the state one Engine owns, shared by the engine_*.cc files (one per area:
// ingest, profiles, definitions and funnels). Internal to src/engine.
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>

#include "analytics/event_index.h"
#include "engine/commit_queue.h"
#include "identity/profile_store.h"
#include "ingest/ingest.h"
#include "signpost/engine.h"

namespace signpost {

// Reads the nested JSON of stored events for the index's lazily built property columns.
class StorePropertySource final : public analytics::PropertySource {
 public:
  explicit StorePropertySource(const store::Store& store) : store_(store) {}
  Status Scan(analytics::PropertyScope scope,
              const std::function<void(uint64_t, std::string_view)>& visit) const override;

 private:
  const store::Store& store_;
};

// The state of each area, defined in engine_<area>.h; Impl owns one of each.
struct SegmentsPart;
struct DeliveryPart;
struct JourneysPart;

struct Engine::Impl {
  Impl();
  ~Impl();

  EngineOptions options;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  ingest::Limits limits;
  std::unique_ptr<identity::ProfileStore> profiles;
  std::unique_ptr<StorePropertySource> properties;

  // The analytics index: writers (the commit thread) exclusive, queries shared.
  mutable std::shared_mutex index_mu;
  analytics::EventIndex index;
  bool index_loaded = false;
  uint64_t merges_applied = 0;  // identity merges already applied to the index

  std::unique_ptr<engine::CommitQueue> commits;

  // Areas (engine_<area>.cc). Opened in Engine::Open after the index (segments, delivery, then
  // journeys), closed in reverse order by ~Engine.
  std::unique_ptr<SegmentsPart> segments;
  std::unique_ptr<DeliveryPart> delivery;
  std::unique_ptr<JourneysPart> journeys;
  Status OpenSegments();
  Status OpenDelivery();
  void CloseDelivery();
  Status OpenJourneys();
  void CloseJourneys();
  // Called on the commit thread after each commit with the accepted events (seq != 0) and their
  // profiles: hands them to the journey runtime.
  void OnCommitted(const std::vector<Event>& events);
  // A segment's definition or list changed: the journeys runtime re-reads what it reacts to and
  // acts on the change (suppression exits, join-later entries) on its thread.
  void OnSegmentChanged(std::string_view segment);

  // Bumped by every channel apply (readers cache what they derive from channel definitions).
  std::atomic<uint64_t> channel_generation{0};
  // Counters for /metrics.
  std::atomic<uint64_t> accepted{0}, duplicates{0}, rejected{0}, refused_merges{0};
  std::atomic<uint64_t> unauthenticated{0}, refused_requests{0};

  store::Store& store() { return profiles->store(); }
  const store::Store& store() const { return profiles->store(); }

  // Commits events durably and brings the index up to date. Runs on the commit thread.
  Status Commit(std::vector<Event>& events, std::vector<std::string>& refused);
  // Applies merges recorded since the last call, then adds the accepted events. Caller holds
  // index_mu exclusively.
  Status UpdateIndex(const std::vector<Event>& events);
  // Loads every stored event into the index (at Open).
  Status LoadIndex();
  // The profiles of static segment `name`, sorted, merged profiles once.
  Result<std::vector<ProfileId>> SegmentMembers(std::string_view name) const;
  // The last completed step (1-based; 0 none) of `profile` in stored funnel `funnel` at `now`.
  Result<int> LastStepOf(std::string_view funnel, ProfileId profile, TimeMs now) const;
  // kFailedPrecondition when this process did not load the index.
  Status RequireIndex() const;
  // Apply of each kind: validates `text` completely, then stores it as a new version
  // (engine_definitions.cc dispatches on `kind`).
  Result<nlohmann::json> ApplyFunnel(std::string_view text, std::string_view note);    // funnels
  Result<nlohmann::json> ApplySegment(std::string_view text, std::string_view note);   // segments
  Result<nlohmann::json> ApplyTemplate(std::string_view text, std::string_view note);  // delivery
  Result<nlohmann::json> ApplyChannel(std::string_view text, std::string_view note);   // delivery
  Result<nlohmann::json> ApplyJourney(std::string_view text, std::string_view note);   // journeys
  Result<nlohmann::json> ApplySettings(std::string_view text, std::string_view note);  // journeys
  // Stores a validated definition as a new version; returns {"kind","id","version","note"}.
  Result<nlohmann::json> StoreDefinition(std::string_view kind, std::string_view id,
                                         std::string_view text, std::string_view note);
  // Records system events (src/base/system_events.h) through the commit queue; durable on return.
  // Must not be called from the commit thread.
  Result<IngestOutcome> RecordSystemEvents(std::vector<Event> events);
  // Counts `rejections` and keeps them in the dead-letter store under `source`.
  Status KeepRejections(const std::vector<Rejection>& rejections, std::string_view source);
  // Stores `parsed`'s rejections as dead letters from `source` and submits its events.
  Result<IngestOutcome> Submit(ingest::ParsedEvents parsed, std::string_view source);
};

}  // namespace signpost
