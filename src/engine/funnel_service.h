// FunnelService: funnel definitions (`kind: funnel` applies) and every funnel query — the report,
// the people at a step, saving those people as a static segment, one profile's last completed
// step (what journeys' `funnel_step` conditions read). It takes the typed queries of
// signpost/queries.h and returns the typed reports of signpost/reports.h (JSON is src/wire's).
// A query resolves its funnel (a stored version, or an ad-hoc one) from the store, its segment
// through the SegmentService, and runs on the EventService's index (under the index's shared lock).
//
// Thread-safety: no state of its own besides references; every method may be called from any
// thread, concurrently (reports run concurrently with each other and with commits, which wait only
// for the index lock). Saving people is serialized by the SegmentService.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "analytics/funnel_query.h"
#include "engine/event_service.h"
#include "engine/segment_service.h"
#include "engine/settings.h"
#include "identity/profile_store.h"
#include "signpost/clock.h"
#include "signpost/funnel_paths.h"
#include "signpost/ids.h"
#include "signpost/insights.h"
#include "signpost/options.h"
#include "signpost/queries.h"
#include "signpost/reports.h"
#include "signpost/step_segments.h"
#include "store/store.h"

namespace signpost::engine {

class FunnelService {
 public:
  // Every reference outlives the service, and so does `settings` (its `consent` defaults; null:
  // granted).
  FunnelService(const EngineOptions& options, store::Store& store,
                const identity::ProfileStore& profiles, const EventService& events,
                SegmentService& segments, const Clock& clock,
                const SettingsService* settings = nullptr);

  // Validates a `kind: funnel` definition and stores it as a new version.
  Result<AppliedDefinition> Apply(std::string_view text, std::string_view note);

  // See Engine::Funnel, FunnelPeople, SaveFunnelPeople, LastCompletedStep (include/signpost/
  // engine.h): kFailedPrecondition without the analytics index.
  Result<FunnelReport> Report(const FunnelQuery& query) const;
  Result<FunnelPeople> People(const FunnelPeopleQuery& query) const;
  Result<SavedFunnelPeople> SavePeople(const FunnelPeopleQuery& query, const SegmentId& segment);
  Result<FunnelLastStep> LastStep(const FunnelId& funnel, std::string_view profile) const;
  // See Engine::FunnelStuck.
  Result<FunnelStuck> Stuck(const FunnelStuckQuery& query) const;
  // Where `profile` stands in stored funnel `funnel` (its latest version) as of `at`: its events
  // with timestamp <= at only (analytics::PositionAsOf). kNotFound for an unknown funnel.
  Result<analytics::FunnelPosition> PositionOf(const FunnelId& funnel, ProfileId profile,
                                               TimeMs at) const;
  // Step drivers (funnel_insights.cc): see Engine::FunnelDrivers.
  Result<StepDriversReport> Drivers(const StepDriversQuery& query) const;
  // Step importance (funnel_insights.cc): see Engine::FunnelImportance.
  Result<StepImportanceReport> Importance(const StepImportanceQuery& query) const;
  // Multi-path reporting (funnel_paths.cc): see Engine::FunnelPaths.
  Result<FunnelPathsReport> Paths(const FunnelPathsQuery& query) const;
  // Next best action (funnel_nba.cc): every table of stored funnel `funnel`'s step `step` (its
  // latest version) over the events up to the clock's now, computed now (no cache: the
  // NextBestActionService keeps one). kNotFound for an unknown funnel or segment.
  Result<NextBestActionReport> NextBestAction(const FunnelId& funnel, int step) const;

 private:
  // A query's definition (stored or ad hoc) with its overrides, and the run options.
  struct Resolved {
    analytics::FunnelDefinition def;
    analytics::FunnelOptions options;
  };
  // The definition (stored or ad hoc) with the query's overrides, and the run options.
  Result<Resolved> Resolve(const FunnelQuery& query) const;
  // The people of a resolved funnel (People, Stuck), as of `now`, identities not yet filled.
  Result<std::vector<FunnelPerson>> PeopleOf(Resolved& f, const analytics::PeopleQuery& pq) const;
  // privacy: with a `consent` requirement, narrows f.options.segment to the people who count as of
  // `as_of` (under the index lock held by the caller) and returns how many were left out.
  Result<uint64_t> NarrowToConsent(const analytics::EventIndex& index,
                                   const analytics::PropertySource* properties, Resolved& f,
                                   TimeMs as_of) const;

  const int query_threads_;
  store::Store& store_;
  const identity::ProfileStore& profiles_;
  const EventService& events_;
  SegmentService& segments_;
  const Clock& clock_;
  const SettingsService* settings_;
};

}  // namespace signpost::engine
