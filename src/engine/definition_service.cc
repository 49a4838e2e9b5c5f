#include "engine/definition_service.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "analytics/funnel_definition.h"
#include "base/id_rule.h"
#include "base/time.h"
#include "delivery/definitions.h"
#include "engine/definition_records.h"
#include "engine/engine_journeys.h"
#include "segments/segment_definition.h"
#include "signpost/engine.h"

namespace signpost::engine {

namespace {

// The segment's name (segments) or the journey's lifecycle (journeys) that an apply reports, for
// a document that stored nothing (unchanged).
void Describe(std::string_view text, const JourneyService& journeys, AppliedDefinition& out) {
  if (out.kind == DefinitionKind::kSegment) {
    auto def = segments::ParseSegmentDefinition(text);
    if (def.ok()) out.name = def->name;
  } else if (out.kind == DefinitionKind::kJourney) {
    auto status = journeys.StatusOf(JourneyId(out.id));
    out.state =
        std::string(JourneyLifecycleName(status ? status->state : journeys::Lifecycle::kDraft));
  }
}

}  // namespace

// What the earlier documents of one apply define, so a later one may refer to them.
struct DefinitionService::Pending {
  std::map<std::string, delivery::ChannelType, std::less<>> channels;
  std::map<std::string, std::string, std::less<>> template_channels;  // template id -> channel
  std::set<std::string, std::less<>> segments, funnels;
};

DefinitionService::DefinitionService(store::Store& store, FunnelService& funnels,
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
  } else if (auto it = kinds_.find(kind); it != kinds_.end()) {
    SP_RETURN_IF_ERROR(it->second.check(text));
  }
  return Status::Ok();
}

Result<AppliedDefinition> DefinitionService::Store(DefinitionKind kind, std::string_view text,
                                                   std::string_view note) {
  switch (kind) {
    case DefinitionKind::kFunnel: {
      auto applied = funnels_.Apply(text, note);
      segments_.FunnelsChanged();  // step segments read the new version from now on
      return applied;
    }
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
    case DefinitionKind::kTrackingPlan:
      break;
  }
  if (auto it = kinds_.find(kind); it != kinds_.end()) return it->second.apply(text, note);
  return Status::Internal("unreachable");
}

// One document of an apply: its kind, id and what storing it would do.
struct DefinitionService::Document {
  store::DefinitionKind kind = store::DefinitionKind::kFunnel;
  std::string id;
  ApplyAction action = ApplyAction::kCreated;
  uint64_t version = 0;  // the stored latest version (0: none)
  std::string stored_note;
};

Result<std::vector<DefinitionService::Document>> DefinitionService::Read(
    const std::vector<std::string_view>& docs, size_t* failed, bool check_all) const {
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
  std::vector<Document> out;
  Pending pending;
  for (size_t i = 0; i < docs.size(); ++i) {
    auto kind_id = DefinitionKindAndId(docs[i]);
    if (!kind_id.ok()) return in_doc(i, kind_id.status());
    auto& [kind, id] = *kind_id;
    Status id_ok = CheckId("id", id);
    if (!id_ok.ok()) return in_doc(i, id_ok);
    if (docs.size() > 1 || check_all) {
      Status checked = Check(kind, docs[i], pending);
      if (!checked.ok()) return in_doc(i, checked);
    }
    Document doc;
    doc.kind = kind;
    doc.id = std::move(id);
    auto stored = store_.definitions().Get(doc.kind, doc.id);
    if (stored.ok()) {
      doc.version = stored->version;
      doc.stored_note = stored->note;
      auto same = SameDefinition(doc.kind, stored->body, docs[i]);
      doc.action = same.ok() && *same ? ApplyAction::kUnchanged : ApplyAction::kConfigured;
    } else if (stored.status().code() != Code::kNotFound) {
      return stored.status();
    }
    out.push_back(std::move(doc));
  }
  return out;
}

Result<AppliedDefinitions> DefinitionService::Plan(const std::vector<std::string_view>& docs,
                                                   size_t* failed) const {
  SP_ASSIGN_OR_RETURN(std::vector<Document> read, Read(docs, failed, /*check_all=*/true));
  AppliedDefinitions plan;
  plan.dry_run = true;
  std::map<std::pair<store::DefinitionKind, std::string>, uint64_t> versions;  // repeated ids
  for (size_t i = 0; i < read.size(); ++i) {
    const Document& d = read[i];
    uint64_t& version = versions.try_emplace({d.kind, d.id}, d.version).first->second;
    AppliedDefinition a;
    a.kind = d.kind;
    a.id = d.id;
    a.action = d.action;
    if (d.action == ApplyAction::kUnchanged) {
      a.note = d.stored_note;
    } else {
      a.action = version == 0 ? ApplyAction::kCreated : ApplyAction::kConfigured;
      ++version;
    }
    a.version = version;
    Describe(docs[i], journeys_, a);
    plan.applied.push_back(std::move(a));
  }
  return plan;
}

Result<AppliedDefinitions> DefinitionService::Apply(const std::vector<std::string_view>& docs,
                                                    std::string_view note, size_t* failed) {
  MutexLock lock(change_mu_);
  SP_ASSIGN_OR_RETURN(std::vector<Document> read, Read(docs, failed, /*check_all=*/false));
  AppliedDefinitions applied;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (read[i].action == ApplyAction::kUnchanged) {
      // The same definition as the latest version: nothing to store (an apply of a folder that
      // did not change stores nothing, like kubectl's `unchanged`).
      AppliedDefinition same;
      same.kind = read[i].kind;
      same.id = read[i].id;
      same.version = read[i].version;
      same.note = read[i].stored_note;
      same.action = ApplyAction::kUnchanged;
      Describe(docs[i], journeys_, same);
      applied.applied.push_back(std::move(same));
      continue;
    }
    Result<AppliedDefinition> r = Store(read[i].kind, docs[i], note);
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
    r->action = r->version == 1 ? ApplyAction::kCreated : ApplyAction::kConfigured;
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

Result<DefinitionText> DefinitionService::Get(DefinitionKind kind, std::string_view id,
                                              uint64_t version) const {
  auto rec = store_.definitions().Get(kind, id, version);
  if (!rec.ok()) {
    if (rec.status().code() != Code::kNotFound) return rec.status();
    return Status::NotFound(
        version == 0
            ? fmt::format("{} '{}' does not exist", DefinitionKindName(kind), id)
            : fmt::format("{} '{}' has no version {}", DefinitionKindName(kind), id, version));
  }
  DefinitionText out;
  out.kind = kind;
  out.id = rec->id;
  out.version = rec->version;
  out.note = rec->note;
  out.at = rec->at;
  out.body = std::move(rec->body);
  return out;
}

Result<std::vector<std::string>> DefinitionService::Referrers(DefinitionKind kind,
                                                              std::string_view id) const {
  std::vector<std::string> out;
  // Journeys, every version: people may still be inside an old one. Each is read again with
  // references that note what it asks for.
  {
    const journeys::References stored = references_();
    journeys::References noting;
    bool uses = false;
    noting.segment = [&](std::string_view s) {
      uses |= kind == DefinitionKind::kSegment && s == id;
      return std::string();
    };
    noting.channel = [&](std::string_view c) {
      uses |= kind == DefinitionKind::kChannel && c == id;
      return std::string();
    };
    noting.funnel = [&](std::string_view f) {
      uses |= kind == DefinitionKind::kFunnel && f == id;
      return std::string();
    };
    noting.template_channel = [&](std::string_view t, std::string* channel) {
      uses |= kind == DefinitionKind::kTemplate && t == id;
      std::string message = stored.template_channel(t, channel);
      uses |= kind == DefinitionKind::kChannel && message.empty() && *channel == id;
      return std::string();
    };
    SP_ASSIGN_OR_RETURN(auto journeys, store_.definitions().List(DefinitionKind::kJourney));
    for (const auto& j : journeys) {
      SP_ASSIGN_OR_RETURN(auto versions,
                          store_.definitions().History(DefinitionKind::kJourney, j.id));
      for (const auto& v : versions) {
        uses = false;
        (void)journeys::ParseJourneyDefinition(v.body, noting);
        if (uses) out.push_back(fmt::format("journey/{}@{}", v.id, v.version));
      }
    }
  }
  if (kind == DefinitionKind::kChannel) {
    SP_ASSIGN_OR_RETURN(auto templates, store_.definitions().List(DefinitionKind::kTemplate));
    for (const auto& t : templates) {
      auto def = delivery::ParseTemplate(t.body);
      if (def.ok() && def->channel == id) out.push_back(fmt::format("template/{}", t.id));
    }
  }
  if (kind == DefinitionKind::kSegment) {
    SP_ASSIGN_OR_RETURN(auto segments, store_.definitions().List(DefinitionKind::kSegment));
    for (const auto& seg : segments) {
      auto def = segments::ParseSegmentDefinition(seg.body);
      if (!def.ok() || seg.id == id) continue;
      std::vector<SegmentId> refs;
      segments::ReferencesOf(def->rule, &refs);
      for (const SegmentId& r : refs) {
        if (r.value() != id) continue;
        out.push_back(fmt::format("segment/{}", seg.id));
        break;
      }
    }
  }
  return out;
}

Result<DeletedDefinition> DefinitionService::Delete(DefinitionKind kind, std::string_view id,
                                                    bool dry_run) {
  if (kind == DefinitionKind::kJourney)
    return Status::InvalidArgument(fmt::format(
        "journey '{}' cannot be deleted: a journey keeps its versions for the people inside and "
        "for its reports; stop it instead (`signpost journeys {} --state stopped`)",
        id, id));
  if (kind == DefinitionKind::kSettings)
    return Status::InvalidArgument(
        "settings cannot be deleted; apply new settings (a section left out takes its defaults)");
  MutexLock lock(change_mu_);  // no apply can add a reference between the check and the delete
  SP_ASSIGN_OR_RETURN(auto history, store_.definitions().History(kind, id));
  if (history.empty())
    return Status::NotFound(fmt::format("{} '{}' does not exist", DefinitionKindName(kind), id));
  SP_ASSIGN_OR_RETURN(std::vector<std::string> referrers, Referrers(kind, id));
  if (!referrers.empty()) {
    const size_t shown = std::min<size_t>(referrers.size(), 5);
    std::string list;
    for (size_t i = 0; i < shown; ++i) list += (i ? ", " : "") + referrers[i];
    if (referrers.size() > shown) list += fmt::format(" and {} more", referrers.size() - shown);
    return Status::FailedPrecondition(fmt::format(
        "{} '{}' is used by {}; change or delete those first", DefinitionKindName(kind), id, list));
  }
  DeletedDefinition out;
  out.kind = kind;
  out.id = std::string(id);
  out.versions = history.size();
  out.dry_run = dry_run;
  if (dry_run) return out;
  if (kind == DefinitionKind::kSegment) {
    SP_RETURN_IF_ERROR(segments_.Remove(SegmentId(std::string(id))));
  } else {
    SP_RETURN_IF_ERROR(store_.definitions().Delete(kind, id));
    if (kind == DefinitionKind::kChannel) delivery_.ChannelsChanged();
    if (kind == DefinitionKind::kFunnel) segments_.FunnelsChanged();
    if (auto it = kinds_.find(kind); it != kinds_.end()) it->second.removed(id);
  }
  return out;
}

}  // namespace signpost::engine
