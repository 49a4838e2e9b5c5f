// Fuzzes the journey definition parser, with the goal block checked by the goals parser as the
// engine does: it must return a definition or a clear error, never crash; every step target of a
// returned definition is a step index or the end/exit marker.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "goals/goal_definition.h"
#include "journeys/journey_definition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  journeys::References refs;
  refs.goal = [](const nlohmann::json& goal) -> std::string {
    auto g = goals::ParseGoalJson(goal, "goal");
    return g.ok() ? "" : g.status().message();
  };
  auto def = journeys::ParseJourneyDefinition(text, refs);
  if (!def.ok()) {
    if (def.status().message().empty()) std::abort();  // an error must say something
    return 0;
  }
  const int n = static_cast<int>(def->steps.size());
  auto valid = [n](int t) { return t >= journeys::kExitNow && t < n; };
  for (const auto& s : def->steps) {
    if (!valid(s.next) || !valid(s.on_event) || !valid(s.on_timeout) || !valid(s.otherwise))
      std::abort();
    for (const auto& a : s.arms)
      if (!valid(a.next)) std::abort();
    for (const auto& v : s.variants)
      if (!valid(v.next)) std::abort();
  }
  return 0;
}
