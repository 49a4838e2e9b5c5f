#include "journeys/lifecycle.h"

#include <fmt/format.h>

namespace signpost::journeys {

std::string_view LifecycleName(Lifecycle state) { return JourneyLifecycleName(state); }

Result<Lifecycle> ParseLifecycle(std::string_view name) {
  for (Lifecycle state :
       {Lifecycle::kDraft, Lifecycle::kLive, Lifecycle::kStopped, Lifecycle::kCompleted}) {
    if (JourneyLifecycleName(state) == name) return state;
  }
  return Status::InvalidArgument(fmt::format(
      "state: '{}' is not a journey state; use draft, live, stopped or completed", name));
}

}  // namespace signpost::journeys
