// Engine: definitions. Apply reads a definition's kind and hands it to that kind's area
// (engine_<area>.cc), which validates it completely before storing a new version.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "analytics/funnel_definition.h"
#include "base/id_rule.h"
#include "base/time.h"
#include "delivery/definitions.h"
#include "engine/definition_records.h"
#include "engine/engine_impl.h"
#include "engine/engine_journeys.h"
#include "segments/segment_definition.h"

namespace signpost {

using nlohmann::json;

namespace {

// The `kind` and `id` of a YAML or JSON definition (JSON is YAML).
Result<std::pair<std::string, std::string>> KindAndId(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
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
  std::string kind = root["kind"].as<std::string>();
  std::string id = root["id"] && root["id"].IsScalar() ? root["id"].as<std::string>() : "";
  return std::make_pair(kind, id);
}

json DefinitionJson(const store::VersionedRecord& r) {
  return {{"kind", r.kind},
          {"id", r.id},
          {"version", r.version},
          {"note", r.note},
          {"at", FormatIso8601(r.at)}};
}

// What the earlier documents of one apply define, so a later one may refer to them.
struct Pending {
  std::map<std::string, delivery::ChannelType, std::less<>> channels;
  std::map<std::string, std::string, std::less<>> template_channels;  // template id -> channel
  std::set<std::string, std::less<>> segments, funnels;
};

// Validates one document of a multi-document apply completely, as its kind's Apply would, except
// that it refers to the definitions of `pending` as if they were stored; then adds it to `pending`.
Status CheckDocument(const Engine::Impl& m, store::DefinitionKind kind, std::string_view text,
                     Pending& pending) {
  if (kind == store::DefinitionKind::kFunnel) {
    SP_ASSIGN_OR_RETURN(auto def, analytics::ParseFunnelDefinition(text));
    pending.funnels.insert(def.id.value());
  } else if (kind == store::DefinitionKind::kSegment) {
    SP_ASSIGN_OR_RETURN(auto def, segments::ParseSegmentDefinition(text));
    pending.segments.insert(def.id.value());
  } else if (kind == store::DefinitionKind::kChannel) {
    SP_ASSIGN_OR_RETURN(auto def, delivery::ParseChannel(text));
    pending.channels[def.id] = def.type;
  } else if (kind == store::DefinitionKind::kTemplate) {
    SP_ASSIGN_OR_RETURN(auto def, delivery::ParseTemplate(text));
    auto it = pending.channels.find(def.channel);
    delivery::ChannelType type;
    if (it != pending.channels.end()) {
      type = it->second;
    } else {
      auto channel = m.delivery->LoadChannel(def.channel);
      if (!channel.ok()) return Status::InvalidArgument("channel: " + channel.status().message());
      type = channel->type;
    }
    SP_RETURN_IF_ERROR(delivery::CheckTemplateFits(def, type));
    pending.template_channels[def.id] = def.channel;
  } else if (kind == store::DefinitionKind::kJourney) {
    journeys::References refs = m.journeys->References();
    auto stored = refs;
    refs.segment = [&](std::string_view id) {
      return pending.segments.count(id) ? std::string() : stored.segment(id);
    };
    refs.channel = [&](std::string_view id) {
      return pending.channels.count(id) ? std::string() : stored.channel(id);
    };
    refs.funnel = [&](std::string_view id) {
      return pending.funnels.count(id) ? std::string() : stored.funnel(id);
    };
    refs.template_channel = [&](std::string_view id, std::string* channel) {
      auto it = pending.template_channels.find(id);
      if (it == pending.template_channels.end()) return stored.template_channel(id, channel);
      *channel = it->second;
      return std::string();
    };
    SP_RETURN_IF_ERROR(journeys::ParseJourneyDefinition(text, refs).status());
  } else if (kind == store::DefinitionKind::kSettings) {
    SP_RETURN_IF_ERROR(ParseSettingsCap(text).status());
  }
  return Status::Ok();
}

}  // namespace

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

Result<json> Engine::Apply(std::string_view text, std::string_view note) {
  std::vector<std::string_view> docs = DefinitionDocuments(text);
  if (docs.empty()) return Status::InvalidArgument("definition: empty; give a `kind` and an `id`");
  if (docs.size() == 1) return ApplyDocuments(docs, note);
  SP_ASSIGN_OR_RETURN(json applied, ApplyDocuments(docs, note));
  return json{{"applied", std::move(applied)}};
}

Result<json> Engine::ApplyDocuments(const std::vector<std::string_view>& docs,
                                    std::string_view note, size_t* failed) {
  Impl& m = *impl_;
  if (docs.empty()) return Status::InvalidArgument("definition: empty; give a `kind` and an `id`");
  auto in_doc = [&](size_t i, const Status& s) {
    if (failed != nullptr) *failed = i;
    if (docs.size() == 1) return s;
    if (failed != nullptr)  // the caller names the document itself
      return Status(s.code(), fmt::format("{} (nothing was applied)", s.message()));
    return Status(s.code(), fmt::format("document {} of {}: {} (nothing was applied)", i + 1,
                                        docs.size(), s.message()));
  };
  // Every document is read and checked before any is stored: all or nothing.
  std::vector<store::DefinitionKind> kinds;
  Pending pending;
  for (size_t i = 0; i < docs.size(); ++i) {
    auto kind_id = KindAndId(docs[i]);
    if (!kind_id.ok()) return in_doc(i, kind_id.status());
    const auto& [kind_name, id] = *kind_id;
    auto kind = store::ParseDefinitionKind(kind_name);
    if (!kind.ok()) return in_doc(i, kind.status());
    Status id_ok = CheckId("id", id);
    if (!id_ok.ok()) return in_doc(i, id_ok);
    if (docs.size() > 1) {
      Status checked = CheckDocument(m, *kind, docs[i], pending);
      if (!checked.ok()) return in_doc(i, checked);
    }
    kinds.push_back(*kind);
  }
  json applied = json::array();
  for (size_t i = 0; i < docs.size(); ++i) {
    const store::DefinitionKind kind = kinds[i];
    Result<json> r = Status::Internal("unreachable");
    if (kind == store::DefinitionKind::kFunnel) r = m.funnels->Apply(docs[i], note);
    if (kind == store::DefinitionKind::kSegment) r = m.segments->Apply(docs[i], note);
    if (kind == store::DefinitionKind::kTemplate) r = m.delivery->ApplyTemplate(docs[i], note);
    if (kind == store::DefinitionKind::kChannel) r = m.delivery->ApplyChannel(docs[i], note);
    if (kind == store::DefinitionKind::kJourney) r = m.journeys->Apply(docs[i], note);
    if (kind == store::DefinitionKind::kSettings) r = m.journeys->ApplySettings(docs[i], note);
    if (!r.ok()) {
      if (failed != nullptr) *failed = i;
      if (docs.size() == 1) return r.status();
      // Only a conflict the checks above cannot see from the text alone gets here (a segment
      // cycle through stored segments, a channel type that no longer fits a stored template).
      if (failed != nullptr)
        return Status(r.status().code(), fmt::format("{} (the {} documents before it were applied)",
                                                     r.status().message(), i));
      return Status(r.status().code(),
                    fmt::format("document {} of {}: {} (documents 1 to {} were applied)", i + 1,
                                docs.size(), r.status().message(), i));
    }
    if (docs.size() == 1) return r;
    applied.push_back(std::move(*r));
  }
  return applied;
}

Result<json> Engine::ListDefinitions(std::string_view kind_name) const {
  auto kind = store::ParseDefinitionKind(kind_name);
  if (!kind.ok()) return json{{"definitions", json::array()}};  // no such kind: none stored
  SP_ASSIGN_OR_RETURN(auto records, impl_->store().definitions().List(*kind));
  json out = json::array();
  for (const auto& r : records) {
    json d = DefinitionJson(r);
    if (*kind == store::DefinitionKind::kFunnel) {
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
