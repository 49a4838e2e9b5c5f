#include "store/definition_kind.h"

#include <fmt/format.h>

namespace signpost::store {

Result<DefinitionKind> ParseDefinitionKind(std::string_view name) {
  if (std::optional<DefinitionKind> kind = DefinitionKindNamed(name)) return *kind;
  return Status::InvalidArgument(
      fmt::format("kind: '{}' is not a kind signpost applies; use funnel, segment, journey, "
                  "template, channel, settings or tracking_plan",
                  name));
}

}  // namespace signpost::store
