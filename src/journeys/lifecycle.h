// Lifecycle: a journey's lifecycle state (draft → live → stopped | completed) as a value the
// core compares, and its one name for the edges (JSON replies, the stored journey status). (Where
// one profile is inside a journey is JourneyState, profile_state.h.)
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "signpost/status.h"

namespace signpost::journeys {

enum class Lifecycle {
  kDraft,      // applied, never live: nobody enters
  kLive,       // profiles enter and move
  kStopped,    // stopped by hand: everyone inside exited
  kCompleted,  // its `end` time passed: everyone inside exited
};

// "draft", "live", "stopped" or "completed": the text of JSON replies and of the stored status.
std::string_view LifecycleName(Lifecycle state);
// The state named `name` (LifecycleName's text). kInvalidArgument naming the four otherwise.
Result<Lifecycle> ParseLifecycle(std::string_view name);

// JSON writes a state as its name (so a state in a JSON document reads as it always did).
inline void to_json(nlohmann::json& j, Lifecycle state) { j = std::string(LifecycleName(state)); }

}  // namespace signpost::journeys
