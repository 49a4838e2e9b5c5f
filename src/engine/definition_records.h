// Storing a validated definition as a new version: the one step every apply ends with.
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

}  // namespace signpost::engine
