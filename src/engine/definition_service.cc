#include "engine/definition_service.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "analytics/funnel_definition.h"
#include "base/id_rule.h"
#include "base/time.h"
#include "delivery/definitions.h"
#include "engine/engine_journeys.h"
#include "segments/segment_definition.h"

namespace signpost::engine {

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

}  // namespace

// What the earlier documents of one apply define, so a later one may refer to them.
struct DefinitionService::Pending {
  std::map<std::string, delivery::ChannelType, std::less<>> channels;
  std::map<std::string, std::string, std::less<>> template_channels;  // template id -> channel
  std::set<std::string, std::less<>> segments, funnels;
};

DefinitionService::DefinitionService(const store::Store& store, FunnelService& funnels,
                                     SegmentService& segments, DeliveryService& delivery,
                                     JourneyService& journeys, SettingsService& settings,
                                     std::function<journeys::References()> references)
    : store_(store),
      funnels_(funnels),
      segments_(segments),
      delivery_(delivery),
      journeys_(journeys),
      settings_(settings),
      references_(std::move(references)) {}

Status DefinitionService::Check(store::DefinitionKind kind, std::string_view text,
                                Pending& pending) const {
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
      auto channel = delivery_.LoadChannel(def.channel);
      if (!channel.ok()) return Status::InvalidArgument("channel: " + channel.status().message());
      type = channel->type;
    }
    SP_RETURN_IF_ERROR(delivery::CheckTemplateFits(def, type));
    pending.template_channels[def.id] = def.channel;
  } else if (kind == store::DefinitionKind::kJourney) {
    journeys::References refs = references_();
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
    SP_RETURN_IF_ERROR(ParseSettings(text).status());
  }
  return Status::Ok();
}

Result<AppliedDefinition> DefinitionService::Store(DefinitionKind kind, std::string_view text,
                                                   std::string_view note) {
  switch (kind) {
    case DefinitionKind::kFunnel:
      return funnels_.Apply(text, note);
    case DefinitionKind::kSegment:
      return segments_.Apply(text, note);
    case DefinitionKind::kTemplate:
      return delivery_.ApplyTemplate(text, note);
    case DefinitionKind::kChannel:
      return delivery_.ApplyChannel(text, note);
    case DefinitionKind::kJourney:
      return journeys_.Apply(text, note);
    case DefinitionKind::kSettings:
      return settings_.Apply(text, note);
  }
  return Status::Internal("unreachable");
}

Result<AppliedDefinitions> DefinitionService::Apply(const std::vector<std::string_view>& docs,
                                                    std::string_view note, size_t* failed) {
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
      Status checked = Check(*kind, docs[i], pending);
      if (!checked.ok()) return in_doc(i, checked);
    }
    kinds.push_back(*kind);
  }
  AppliedDefinitions applied;
  for (size_t i = 0; i < docs.size(); ++i) {
    Result<AppliedDefinition> r = Store(kinds[i], docs[i], note);
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
    applied.applied.push_back(std::move(*r));
  }
  return applied;
}

Result<DefinitionList> DefinitionService::List(DefinitionKind kind) const {
  SP_ASSIGN_OR_RETURN(auto records, store_.definitions().List(kind));
  DefinitionList out;
  for (const auto& r : records) {
    StoredDefinition d;
    d.kind = kind;
    d.id = r.id;
    d.version = r.version;
    d.note = r.note;
    d.at = r.at;
    if (kind == DefinitionKind::kFunnel) {
      auto def = analytics::ParseFunnelDefinition(r.body);
      if (def.ok()) {
        d.funnel.emplace().name = def->name;
        for (const auto& s : def->steps) d.funnel->steps.push_back(s.name);
      }
    }
    out.definitions.push_back(std::move(d));
  }
  return out;
}

}  // namespace signpost::engine
