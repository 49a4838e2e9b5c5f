// Lifecycle: a journey's lifecycle state (draft → live → stopped | completed) as a value the
// core compares, and its one name for the edges (JSON replies, the stored journey status). The
// enum and its name are public (JourneyLifecycle, include/signpost/reports.h: the typed journey
// reports carry it); JSON writes it as its name through signpost::to_json. (Where one profile is
// inside a journey is JourneyState, profile_state.h.)
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "signpost/reports.h"
#include "signpost/status.h"

namespace signpost::journeys {

using Lifecycle = JourneyLifecycle;

// "draft", "live", "stopped" or "completed": the text of JSON replies and of the stored status.
std::string_view LifecycleName(Lifecycle state);
// The state named `name` (LifecycleName's text). kInvalidArgument naming the four otherwise.
Result<Lifecycle> ParseLifecycle(std::string_view name);

}  // namespace signpost::journeys
