// Storing a validated definition as a new version: the one step every apply ends with; and
// whether a document is the same definition as a stored version.
#pragma once

#include <string_view>

#include "signpost/reports.h"
#include "signpost/status.h"
#include "store/definition_kind.h"
#include "store/store.h"

namespace signpost::engine {

// Stores `text` as the next version of (kind, id) at `now`; returns what was stored (kind, id,
// version, note; the caller adds what its kind reports).
// kInvalidArgument naming `id` when it is missing or breaks the id rule (src/base/id_rule.h).
// Thread-safe (the definitions store serializes versions).
Result<AppliedDefinition> StoreDefinition(store::Store& store, TimeMs now,
                                          store::DefinitionKind kind, std::string_view id,
                                          std::string_view text, std::string_view note);

// Whether document `text` is the same definition of `kind` as the stored `body`: the same YAML
// (or JSON) tree, whatever the formatting, comments and key order (settings: the same settings
// once normalized). kInvalidArgument when `text` does not parse (then it is not the same).
Result<bool> SameDefinition(store::DefinitionKind kind, std::string_view body,
                            std::string_view text);

}  // namespace signpost::engine
