// Fuzzes the tracking-plan parser (`kind: tracking_plan`, YAML and JSON) and the check of an item
// against a plan: the input is a plan, optionally followed by a line `---` and an item's
// properties (JSON text, checked against each planned event). The parser returns a plan or a clear
// error, never crashes; a check returns at most 16 violations, each with a rule and a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "analytics/tracking_plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view plan_text = input, item;
  if (const size_t cut = input.find("\n---\n"); cut != std::string_view::npos) {
    plan_text = input.substr(0, cut);
    item = input.substr(cut + 5);
  }
  auto plan = signpost::analytics::ParseTrackingPlan(plan_text);
  if (!plan.ok()) {
    if (plan.status().message().empty()) std::abort();  // an error must say something
    return 0;
  }
  if (plan->id.empty() || plan->events.empty()) std::abort();
  for (const auto& planned : plan->events) {
    signpost::Event e;
    e.type = planned.type;
    e.event = planned.event;
    e.properties = std::string(item);
    e.traits = std::string(item);
    const auto found = signpost::analytics::CheckAgainstPlan(*plan, e);
    if (found.size() > 16) std::abort();
    for (const auto& v : found) {
      if (v.rule.empty() || v.message.empty()) std::abort();
    }
  }
  return 0;
}
