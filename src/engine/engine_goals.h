// Journey goals inside the engine: live credits (`Goal Attained`) and the goal reports.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_set>

#include "engine/engine_impl.h"
#include "goals/attribution.h"
#include "goals/goal_report.h"

namespace signpost {

// Attributes the goal hits of `profiles` and records `Goal Attained` for each credit; the message
// id is the same for a (journey, profile) whatever happens, so a profile is credited once however
// often this runs (also after a crash). Not the commit thread.
Status RecordGoalCredits(Engine::Impl& m, engine::JourneyService& j,
                         const std::unordered_set<uint64_t>& profiles) REQUIRES(j.mu());

// The goal tile of a journey for lists: {type, attained, rate, target, target_progress, lift};
// kNotFound when the journey has no goal.
Result<nlohmann::json> GoalTile(const Engine::Impl& m, std::string_view journey);

// The identity a profile's system events are recorded under: its userId when it has one.
std::string PrimaryIdentityOf(const Engine::Impl& m, ProfileId profile);

// Attributes one profile's stored track events with timestamp <= `until` (plus `extra` events not
// stored, e.g. a replay's) against `goals`; fills its entries and returns its credits. Without
// `stored_system_events`, the store's journey events are left out (a replay brings its own).
struct ProfileAttribution {
  std::vector<goals::EntryRecord> entries;
  std::vector<goals::Credit> credits;
};
Result<ProfileAttribution> AttributeStored(const Engine::Impl& m, ProfileId profile,
                                           const std::vector<goals::JourneyGoal>& goals,
                                           const std::vector<Event>* extra,
                                           bool stored_system_events, TimeMs until = INT64_MAX);

}  // namespace signpost
