// DefinitionKind: what a definition is (a funnel, a segment, a journey, ...) as a value the core
// compares, and its one name for the edges: the `kind:` of YAML and JSON definitions, JSON replies,
// and the key of its versions in the store (so existing data folders read as they always did).
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/enum_names.h"
#include "signpost/status.h"

namespace signpost::store {

enum class DefinitionKind {
  kFunnel,    // analytics: the steps of a funnel
  kSegment,   // segments: a rule segment
  kJourney,   // journeys: entry, steps, goal
  kTemplate,  // delivery: a message template
  kChannel,   // delivery: where messages go (smtp, webhook, file)
  kSettings,  // the folder's settings (one, id "global")
};

// Every kind with its name, in the order messages list them.
inline constexpr EnumName<DefinitionKind> kDefinitionKinds[] = {
    {DefinitionKind::kFunnel, "funnel"},   {DefinitionKind::kSegment, "segment"},
    {DefinitionKind::kJourney, "journey"}, {DefinitionKind::kTemplate, "template"},
    {DefinitionKind::kChannel, "channel"}, {DefinitionKind::kSettings, "settings"}};

// "funnel", "segment", "journey", "template", "channel" or "settings".
inline std::string_view DefinitionKindName(DefinitionKind kind) {
  return NameIn(kDefinitionKinds, kind);
}
// The kind named `name` (DefinitionKindName's text). kInvalidArgument otherwise:
// "kind: 'x' is not a kind signpost applies; use funnel, segment, journey, template, channel or
// settings".
Result<DefinitionKind> ParseDefinitionKind(std::string_view name);

// JSON writes a kind as its name.
inline void to_json(nlohmann::json& j, DefinitionKind kind) {
  j = std::string(DefinitionKindName(kind));
}

}  // namespace signpost::store
