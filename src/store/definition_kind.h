// DefinitionKind (include/signpost/definition_kind.h) as the store names its versions: the kind's
// name is the key prefix of its versioned records. Parsing a name back is here, with the message
// the edges show for an unknown kind.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "signpost/definition_kind.h"
#include "signpost/status.h"

namespace signpost {

// JSON writes a kind as its name.
inline void to_json(nlohmann::json& j, DefinitionKind kind) {
  j = std::string(DefinitionKindName(kind));
}

namespace store {

using signpost::DefinitionKind;
using signpost::DefinitionKindName;
using signpost::kDefinitionKinds;

// The kind named `name` (DefinitionKindName's text). kInvalidArgument otherwise:
// "kind: 'x' is not a kind signpost applies; use funnel, segment, journey, template, channel or
// settings".
Result<DefinitionKind> ParseDefinitionKind(std::string_view name);

}  // namespace store
}  // namespace signpost
