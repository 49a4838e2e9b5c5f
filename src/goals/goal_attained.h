// The properties of the `Goal Attained` system event the journey runtime records for a credit
// (see src/base/system_events.h), so every writer spells them the same way.
#pragma once

#include <nlohmann/json.hpp>

#include "goals/attribution.h"

namespace signpost::goals {

// {journey, version, entry, goal_type, hit_event, hit_message_id, hit_at, entered_at} for
// `credit` of a goal of type `type`; times as ISO 8601. Pure: thread-safe.
nlohmann::json GoalAttainedProperties(const Credit& credit, GoalType type);

}  // namespace signpost::goals
