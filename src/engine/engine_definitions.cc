// Engine: definitions. Splitting a text into documents here; applying and listing them is the
// DefinitionService's (definition_service.h).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "engine/engine_impl.h"

namespace signpost {

std::vector<std::string_view> DefinitionDocuments(std::string_view text) {
  std::vector<std::string_view> docs;
  size_t doc_start = 0, line_start = 0;
  auto flush = [&](size_t end) {
    std::string_view doc = text.substr(doc_start, end - doc_start);
    if (doc.find_first_not_of(" \t\r\n") != std::string_view::npos) docs.push_back(doc);
  };
  while (line_start < text.size()) {
    size_t nl = text.find('\n', line_start);
    size_t line_end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line == "---") {
      flush(line_start);
      doc_start = next;
    }
    line_start = next;
  }
  flush(text.size());
  return docs;
}

Result<std::pair<DefinitionKind, std::string>> DefinitionKindAndId(std::string_view doc) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(doc));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("definition: not valid YAML or JSON (line {}, column {}: {})", e.mark.line + 1,
                    e.mark.column + 1, e.msg));
  }
  if (!root.IsMap())
    return Status::InvalidArgument("definition: expected a mapping with `kind` and `id`");
  if (!root["kind"] || !root["kind"].IsScalar())
    return Status::InvalidArgument(
        "kind: missing; add one of `kind: funnel|segment|journey|template|channel|settings`");
  SP_ASSIGN_OR_RETURN(store::DefinitionKind kind,
                      store::ParseDefinitionKind(root["kind"].as<std::string>()));
  std::string id = root["id"] && root["id"].IsScalar() ? root["id"].as<std::string>() : "";
  return std::make_pair(kind, std::move(id));
}

namespace {

// "journey/welcome@3, segment/vip@2" of what an apply stored.
std::string AppliedTargets(const AppliedDefinitions& applied) {
  std::string out;
  for (const AppliedDefinition& d : applied.applied) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{}/{}@{}", DefinitionKindName(d.kind), d.id, d.version);
  }
  return out;
}

}  // namespace

Result<AppliedDefinitions> Engine::Apply(std::string_view text, std::string_view note) {
  return ApplyDocuments(DefinitionDocuments(text), note, nullptr);
}

Result<AppliedDefinitions> Engine::ApplyDocuments(const std::vector<std::string_view>& docs,
                                                  std::string_view note, size_t* failed) {
  Result<AppliedDefinitions> r = impl_->definitions->Apply(docs, note, failed);
  impl_->audit->Record(
      "apply", r.ok() ? AppliedTargets(*r) : fmt::format("{} documents", docs.size()),
      note.empty() ? nlohmann::json() : nlohmann::json{{"note", note}}, r.status());
  return r;
}

Result<DefinitionList> Engine::ListDefinitions(DefinitionKind kind) const {
  return impl_->definitions->List(kind);
}

Result<AppliedDefinitions> Engine::PlanDocuments(const std::vector<std::string_view>& docs,
                                                 size_t* failed) const {
  return impl_->definitions->Plan(docs, failed);
}

Result<DefinitionText> Engine::GetDefinition(DefinitionKind kind, std::string_view id,
                                             uint64_t version) const {
  return impl_->definitions->Get(kind, id, version);
}

Result<DeletedDefinition> Engine::DeleteDefinition(DefinitionKind kind, std::string_view id,
                                                   bool dry_run) {
  Result<DeletedDefinition> r = impl_->definitions->Delete(kind, id, dry_run);
  if (!dry_run)
    impl_->audit->Record("delete", fmt::format("{}/{}", DefinitionKindName(kind), id),
                         nlohmann::json(), r.status());
  return r;
}

}  // namespace signpost
