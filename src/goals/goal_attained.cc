#include "goals/goal_attained.h"

#include "base/system_events.h"
#include "base/time.h"

namespace signpost::goals {

nlohmann::json GoalAttainedProperties(const Credit& credit, GoalType type) {
  namespace se = system_events;
  return {{se::kPropJourney, credit.journey.value()},
          {se::kPropVersion, credit.version},
          {se::kPropEntry, credit.entry},
          {"goal_type", GoalTypeName(type)},
          {"hit_event", credit.hit_event},
          {"hit_message_id", credit.hit_message_id},
          {"hit_at", FormatIso8601(credit.hit_at)},
          {"entered_at", FormatIso8601(credit.entered_at)}};
}

}  // namespace signpost::goals
