#include "journeys/lifecycle.h"

#include <fmt/format.h>

#include "base/enum_names.h"

namespace signpost::journeys {

namespace {
constexpr EnumName<Lifecycle> kNames[] = {{Lifecycle::kDraft, "draft"},
                                          {Lifecycle::kLive, "live"},
                                          {Lifecycle::kStopped, "stopped"},
                                          {Lifecycle::kCompleted, "completed"}};
}  // namespace

std::string_view LifecycleName(Lifecycle state) { return NameIn(kNames, state); }

Result<Lifecycle> ParseLifecycle(std::string_view name) {
  if (std::optional<Lifecycle> state = ValueIn(kNames, name)) return *state;
  return Status::InvalidArgument(fmt::format(
      "state: '{}' is not a journey state; use draft, live, stopped or completed", name));
}

}  // namespace signpost::journeys
