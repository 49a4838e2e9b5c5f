// Engine: journey goals. Attribution of goal hits to journey entries, and the goal report.
#include <fmt/format.h>

#include "engine/engine_journeys.h"

namespace signpost {

using nlohmann::json;

Result<json> Engine::GoalReport(std::string_view journey, const json& query) const {
  return Status::NotFound(fmt::format("journey '{}' has no goal report yet", journey));
}

Result<json> Engine::GoalPeople(std::string_view journey, const json& query) const {
  return Status::NotFound(fmt::format("journey '{}' has no goal report yet", journey));
}

}  // namespace signpost
