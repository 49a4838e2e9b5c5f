// Engine: definitions. Splitting a text into documents here; applying and listing them is the
// DefinitionService's (definition_service.h).
#include <fmt/format.h>

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

}  // namespace signpost
