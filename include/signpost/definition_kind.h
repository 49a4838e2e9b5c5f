// DefinitionKind: what a definition is (a funnel, a segment, a journey, ...) as a value the core
// compares, and its one name for the edges: the `kind:` of YAML and JSON definitions, JSON replies,
// and the key of its versions in the store (so existing data folders read as they always did).
//
// Thread-safety: constexpr values and pure functions.
#pragma once

#include <optional>
#include <string_view>
#include <utility>

namespace signpost {

enum class DefinitionKind {
  kFunnel,        // analytics: the steps of a funnel
  kSegment,       // segments: a rule segment
  kJourney,       // journeys: entry, steps, goal
  kTemplate,      // delivery: a message template
  kChannel,       // delivery: where messages go (smtp, webhook, file)
  kSettings,      // the folder's settings (one, id "global")
  kTrackingPlan,  // the catalog: the events expected and their property schemas
};

// Every kind with its name, in the order messages list them.
inline constexpr std::pair<DefinitionKind, std::string_view> kDefinitionKinds[] = {
    {DefinitionKind::kFunnel, "funnel"},
    {DefinitionKind::kSegment, "segment"},
    {DefinitionKind::kJourney, "journey"},
    {DefinitionKind::kTemplate, "template"},
    {DefinitionKind::kChannel, "channel"},
    {DefinitionKind::kSettings, "settings"},
    {DefinitionKind::kTrackingPlan, "tracking_plan"}};

// "funnel", "segment", "journey", "template", "channel", "settings" or "tracking_plan".
constexpr std::string_view DefinitionKindName(DefinitionKind kind) {
  for (const auto& [k, name] : kDefinitionKinds) {
    if (k == kind) return name;
  }
  return {};
}

// The kind named exactly `name`; none for any other text.
constexpr std::optional<DefinitionKind> DefinitionKindNamed(std::string_view name) {
  for (const auto& [kind, kind_name] : kDefinitionKinds) {
    if (kind_name == name) return kind;
  }
  return std::nullopt;
}

}  // namespace signpost
