// GoalService: journey goals inside the engine — live credits (`Goal Attained`, recorded once per
// journey and profile) and the goal reports — both computed by src/goals from each profile's
// stored events (AttributeStored), so the live engine, the split reports and replay count by the
// same rules. It reads profiles and events from the store, segments through the SegmentService,
// records credits through the EventService and counts them in the ChannelService's bandits; what a
// journey's goal is and who entered belong to the JourneyService, which a caller passes in (the
// goal service is opened before it: the journey service's credit hook calls RecordCredits with its
// mutex held).
//
// Thread-safety: no state of its own besides references; every method may be called from any
// thread. RecordCredits REQUIRES the journey service's mutex (its caller, the runtime's hook,
// holds it); Report, People and Tile take that mutex themselves, so their caller must not hold it.
// Not the commit thread (RecordCredits waits for a commit).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/mutex.h"
#include "engine/engine_channels.h"
#include "engine/event_service.h"
#include "engine/journey_service.h"
#include "engine/segment_service.h"
#include "goals/attribution.h"
#include "goals/goal_report.h"
#include "identity/profile_store.h"
#include "signpost/clock.h"
#include "signpost/queries.h"
#include "signpost/reports.h"
#include "store/store.h"

namespace signpost::engine {

// One profile's goal entries and credits (AttributeStored).
struct ProfileAttribution {
  std::vector<goals::EntryRecord> entries;
  std::vector<goals::Credit> credits;
};

class GoalService {
 public:
  // Every reference outlives the service.
  GoalService(const store::Store& store, const identity::ProfileStore& profiles,
              EventService& events, const SegmentService& segments, ChannelService& channels,
              const Clock& clock);

  // ---- the journey service's calls ---------------------------------------------------------
  // Attributes the goal hits of `profiles` against the goals of `journeys` and records `Goal
  // Attained` for each credit; the message id is the same for a (journey, profile) whatever
  // happens, so a profile is credited once however often this runs (also after a crash). The
  // channel bandits count each recorded conversion.
  Status RecordCredits(const JourneyService& journeys, const std::unordered_set<uint64_t>& profiles)
      REQUIRES(journeys.mu());

  // ---- reports -----------------------------------------------------------------------------
  // See Engine::GoalReport and GoalPeople (include/signpost/engine.h).
  Result<GoalReport> Report(const JourneyService& journeys, std::string_view journey,
                            const GoalReportQuery& query) const EXCLUDES(journeys.mu());
  Result<GoalPeople> People(const JourneyService& journeys, std::string_view journey,
                            const GoalReportQuery& query) const EXCLUDES(journeys.mu());
  // The goal tile of a journey for lists: {type, attained, rate, target, target_progress, lift};
  // kNotFound when the journey has no goal.
  Result<nlohmann::json> Tile(const JourneyService& journeys, std::string_view journey) const
      EXCLUDES(journeys.mu());

  // ---- shared with the split reports and replay -------------------------------------------------
  // The identity a profile's system events are recorded under: its userId when it has one.
  std::string PrimaryIdentityOf(ProfileId profile) const;
  // Attributes one profile's stored track events with timestamp <= `until` (plus `extra` events
  // not stored, e.g. a replay's) against `goals`; fills its entries and returns its credits.
  // Without `stored_system_events`, the store's journey events are left out (a replay brings its
  // own).
  Result<ProfileAttribution> AttributeStored(ProfileId profile,
                                             const std::vector<goals::JourneyGoal>& goals,
                                             const std::vector<Event>* extra,
                                             bool stored_system_events,
                                             TimeMs until = INT64_MAX) const;

 private:
  Result<goals::GoalReportBuilder> BuildReport(const JourneyService& journeys,
                                               std::string_view journey,
                                               const GoalReportQuery& query) const
      EXCLUDES(journeys.mu());

  const store::Store& store_;
  const identity::ProfileStore& profiles_;
  EventService& events_;
  const SegmentService& segments_;
  ChannelService& channels_;  // counts each recorded credit as a conversion
  const Clock& clock_;
};

}  // namespace signpost::engine
