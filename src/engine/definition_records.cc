#include "engine/definition_records.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <utility>
#include <vector>

#include "base/id_rule.h"
#include "engine/settings.h"

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

namespace {

// Whether two YAML trees are equal: scalars by their text, sequences in order, maps as sets of
// keys (any order). An explicit stack, so a deep document costs no recursion.
bool SameTree(const YAML::Node& a, const YAML::Node& b) {
  std::vector<std::pair<YAML::Node, YAML::Node>> todo{{a, b}};
  while (!todo.empty()) {
    // Const nodes: a const lookup of a missing key does not add it.
    const YAML::Node x = todo.back().first, y = todo.back().second;
    todo.pop_back();
    if (x.Type() != y.Type()) return false;
    if (x.IsScalar()) {
      if (x.Scalar() != y.Scalar()) return false;
    } else if (x.IsSequence()) {
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) todo.emplace_back(x[i], y[i]);
    } else if (x.IsMap()) {
      if (x.size() != y.size()) return false;
      for (const auto& kv : x) {
        if (!kv.first.IsScalar()) return false;  // definitions key maps by names only
        const YAML::Node other = y[kv.first.Scalar()];
        if (!other.IsDefined()) return false;
        todo.emplace_back(kv.second, other);
      }
    }
  }
  return true;
}

}  // namespace

Result<bool> SameDefinition(store::DefinitionKind kind, std::string_view body,
                            std::string_view text) {
  if (kind == store::DefinitionKind::kSettings) {
    SP_ASSIGN_OR_RETURN(Settings settings, ParseSettings(text));
    return SettingsBody(settings) == body;
  }
  try {
    return SameTree(YAML::Load(std::string(body)), YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("definition: not valid YAML or JSON ({})", e.msg));
  }
}

}  // namespace signpost::engine
