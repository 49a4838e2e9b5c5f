// Engine: definitions. Apply reads a definition's kind and hands it to that kind's area
// (engine_<area>.cc), which validates it completely before storing a new version.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "analytics/funnel_definition.h"
#include "base/time.h"
#include "engine/engine_impl.h"

namespace signpost {

using nlohmann::json;

namespace {

// The `kind` and `id` of a YAML or JSON definition (JSON is YAML).
Result<std::pair<std::string, std::string>> KindAndId(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format(
        "definition: not valid YAML or JSON (line {}, column {}: {})", e.mark.line + 1,
        e.mark.column + 1, e.msg));
  }
  if (!root.IsMap())
    return Status::InvalidArgument("definition: expected a mapping with `kind` and `id`");
  if (!root["kind"] || !root["kind"].IsScalar())
    return Status::InvalidArgument(
        "kind: missing; add one of `kind: funnel|segment|journey|template|channel|settings`");
  std::string kind = root["kind"].as<std::string>();
  std::string id = root["id"] && root["id"].IsScalar() ? root["id"].as<std::string>() : "";
  return std::make_pair(kind, id);
}

json DefinitionJson(const store::VersionedRecord& r) {
  return {{"kind", r.kind}, {"id", r.id}, {"version", r.version}, {"note", r.note}, {"at", FormatIso8601(r.at)}};
}

}  // namespace

Result<json> Engine::Apply(std::string_view text, std::string_view note) {
  Impl& m = *impl_;
  SP_ASSIGN_OR_RETURN(auto kind_id, KindAndId(text));
  const std::string& kind = kind_id.first;
  if (kind == "funnel") return m.ApplyFunnel(text, note);
  if (kind == "segment") return m.ApplySegment(text, note);
  if (kind == "template") return m.ApplyTemplate(text, note);
  if (kind == "channel") return m.ApplyChannel(text, note);
  if (kind == "journey") return m.ApplyJourney(text, note);
  if (kind == "settings") return m.ApplySettings(text, note);
  return Status::InvalidArgument(fmt::format(
      "kind: '{}' is not a kind signpost applies; use funnel, segment, journey, template, "
      "channel or settings", kind));
}

Result<json> Engine::Impl::StoreDefinition(std::string_view kind, std::string_view id,
                                           std::string_view text, std::string_view note) {
  if (id.empty()) return Status::InvalidArgument(fmt::format("id: missing; give the {} an `id`", kind));
  SP_ASSIGN_OR_RETURN(uint64_t version,
                      store().definitions().Put(kind, id, text, note, clock->NowMs()));
  return json{{"kind", kind}, {"id", id}, {"version", version}, {"note", note}};
}

Result<json> Engine::ListDefinitions(std::string_view kind) const {
  SP_ASSIGN_OR_RETURN(auto records, impl_->store().definitions().List(kind));
  json out = json::array();
  for (const auto& r : records) {
    json d = DefinitionJson(r);
    if (kind == "funnel") {
      auto def = analytics::ParseFunnelDefinition(r.body);
      if (def.ok()) {
        d["name"] = def->name;
        json steps = json::array();
        for (const auto& s : def->steps) steps.push_back(s.name);
        d["steps"] = steps;
      }
    }
    out.push_back(std::move(d));
  }
  return json{{"definitions", out}};
}

}  // namespace signpost
