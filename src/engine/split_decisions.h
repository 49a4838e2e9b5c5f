// SplitWinner's memory of each split (engine_experiments.h), kept in the JourneyService.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "signpost/clock.h"
#include "journeys/journey_definition.h"

namespace signpost {

// How often SplitWinner looks again, at most, between two daily looks: to see late events
// (an assignment or a conversion with an event time before a look that already passed).
inline constexpr DurationMs kSplitRecheckMs = kHourMs;

// SplitWinner's memory of each split (key "journey/step"), kept in the JourneyService and guarded by
// its mutex. An answer is reused while the journey's definition is the same object and either it is
// final (a variant) or the clock is still before `next_look`.
struct SplitDecision {
  std::shared_ptr<const journeys::JourneyDefinition> def;  // the version it was evaluated on
  std::optional<std::string> winner;  // set: final, never evaluated again for this version
  TimeMs evaluated_at = 0;            // the clock's now at the evaluation
  TimeMs next_look = 0;  // the next daily look or end date after it, or evaluated_at + recheck
};
struct SplitDecisions {
  std::map<std::string, SplitDecision, std::less<>> by_step;
  uint64_t evaluations = 0;  // full evaluations (each reads every entered profile's events)
};

}  // namespace signpost
