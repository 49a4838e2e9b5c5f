#include "engine/definition_records.h"

#include <fmt/format.h>

#include "base/id_rule.h"

namespace signpost::engine {

Result<AppliedDefinition> StoreDefinition(store::Store& store, TimeMs now,
                                          store::DefinitionKind kind, std::string_view id,
                                          std::string_view text, std::string_view note) {
  if (id.empty())
    return Status::InvalidArgument(
        fmt::format("id: missing; give the {} an `id`", store::DefinitionKindName(kind)));
  SP_RETURN_IF_ERROR(CheckId("id", id));
  SP_ASSIGN_OR_RETURN(uint64_t version, store.definitions().Put(kind, id, text, note, now));
  AppliedDefinition out;
  out.kind = kind;
  out.id = std::string(id);
  out.version = version;
  out.note = std::string(note);
  return out;
}

}  // namespace signpost::engine
