// Engine: journeys. Definitions, lifecycle, the live runtime thread, replay.
#include <fmt/format.h>

#include "engine/engine_journeys.h"

namespace signpost {

using nlohmann::json;

Status Engine::Impl::OpenJourneys() {
  journeys = std::make_unique<JourneysPart>();
  return Status::Ok();
}

void Engine::Impl::CloseJourneys() {}

void Engine::Impl::OnCommitted(const std::vector<Event>& events) {}

Result<json> Engine::Impl::ApplyJourney(std::string_view text, std::string_view note) {
  return Status::InvalidArgument("kind: 'journey' definitions are not built yet");
}

Result<json> Engine::Impl::ApplySettings(std::string_view text, std::string_view note) {
  return Status::InvalidArgument("kind: 'settings' definitions are not built yet");
}

Result<json> Engine::Journeys() const { return json{{"journeys", json::array()}}; }

Result<json> Engine::Journey(std::string_view id) const {
  return Status::NotFound(fmt::format("journey '{}' does not exist", id));
}

Result<json> Engine::SetJourneyState(std::string_view id, std::string_view state) {
  return Status::NotFound(fmt::format("journey '{}' does not exist", id));
}

Result<json> Engine::Replay(const json& request) const {
  return Status::InvalidArgument("replay is not built yet");
}

Status Engine::RunJourneysUntilIdle() { return Status::Ok(); }

}  // namespace signpost
