// SegmentService: static lists (saved funnel people, imported ids) and rule segments
// (`kind: segment` definitions, evaluated on demand as of a time; see src/segments/README.md).
#include "engine/segment_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "analytics/funnel_definition.h"
#include "analytics/funnel_query.h"
#include "base/id_rule.h"
#include "base/time.h"
#include "engine/definition_records.h"

namespace signpost::engine {

using nlohmann::json;

namespace {

// The latest stored version of funnel `funnel`, parsed.
Result<analytics::FunnelDefinition> StoredFunnel(const store::Store& store,
                                                 const FunnelId& funnel) {
  auto record = store.definitions().Get(store::DefinitionKind::kFunnel, funnel.value());
  if (!record.ok())
    return Status::NotFound(
        fmt::format("no funnel '{}'; apply a `kind: funnel` definition first", funnel));
  return analytics::ParseFunnelDefinition(record->body);
}

SegmentTriggers TriggersView(const segments::Triggers& t) {
  SegmentTriggers out;
  out.events = t.events;
  out.traits = t.traits;
  out.time = t.time;
  out.is_static = t.is_static;
  return out;
}

}  // namespace

// ProfileFacts over the store: one profile's events (grouped by name) and trait history, each
// read once on first use; static lists read once per name.
class SegmentService::StoreProfileFacts final : public segments::ProfileFacts {
 public:
  StoreProfileFacts(const SegmentService& service, const store::Store& store,
                    const identity::ProfileStore& profiles, const EventService& events,
                    ProfileId profile)
      : service_(service),
        store_(store),
        profiles_(profiles),
        events_index_(events),
        profile_(profile),
        identities_(profiles.IdentitiesOf(profile)) {}

  // From the analytics index, as of `at` (analytics::PositionAsOf: events after `at` unread).
  Result<segments::FunnelFact> FunnelAt(const FunnelId& funnel, TimeMs at) const override {
    auto def = funnels_.find(funnel);
    if (def == funnels_.end()) def = funnels_.emplace(funnel, service_.Funnel(funnel)).first;
    if (!def->second.ok()) return def->second.status();
    SP_RETURN_IF_ERROR(events_index_.RequireIndex());
    SP_ASSIGN_OR_RETURN(analytics::FunnelPosition pos,
                        events_index_.ReadIndex([&](const analytics::EventIndex& index,
                                                    const analytics::PropertySource* source) {
                          return analytics::PositionAsOf(index, **def->second,
                                                         analytics::FunnelOptions{}, profile_, at,
                                                         source);
                        }));
    return segments::FunnelFact{pos.last_step, pos.last_step_at};
  }

  std::optional<std::string> TraitAt(std::string_view name, TimeMs at) const override {
    if (!traits_loaded_) LoadTraits();
    auto it = traits_.find(std::string(name));
    if (it == traits_.end()) return std::nullopt;
    // The last change with timestamp <= at (changes are in (timestamp, seq) order).
    const auto& changes = it->second;
    auto after = std::upper_bound(changes.begin(), changes.end(), at,
                                  [](TimeMs t, const TraitValue& c) { return t < c.timestamp; });
    if (after == changes.begin()) return std::nullopt;
    return std::prev(after)->json;
  }

  Status ForEachEvent(std::string_view event, TimeMs from, TimeMs to,
                      const std::function<bool(TimeMs, std::string_view)>& fn) const override {
    if (!events_loaded_) LoadEvents();
    SP_RETURN_IF_ERROR(events_error_);
    auto it = events_.find(std::string(event));
    if (it == events_.end()) return Status::Ok();
    const auto& list = it->second;
    auto first = std::lower_bound(list.begin(), list.end(), from,
                                  [](const Occurrence& o, TimeMs t) { return o.timestamp < t; });
    for (auto e = first; e != list.end() && e->timestamp <= to; ++e) {
      if (!fn(e->timestamp, e->properties)) break;
    }
    return Status::Ok();
  }

  bool InStaticSegment(const SegmentId& segment) const override {
    if (auto it = statics_.find(segment); it != statics_.end()) return it->second;
    bool in = false;
    auto seg = store_.segments().Get(segment.value());
    if (seg.ok()) {
      for (const auto& id : seg->identities) {
        if (std::binary_search(identities_.begin(), identities_.end(), id)) in = true;
      }
    }
    statics_.emplace(segment, in);
    return in;
  }

 private:
  struct Occurrence {
    TimeMs timestamp;
    std::string properties;
  };
  struct TraitValue {
    TimeMs timestamp;
    std::string json;
  };

  void LoadEvents() const {
    events_loaded_ = true;
    if (identities_.empty()) return;
    auto events = store_.EventsOf(identities_, 0);  // by (timestamp, seq)
    if (!events.ok()) {
      events_error_ = events.status();
      return;
    }
    for (auto& e : *events) {
      if (e.event.empty()) continue;
      events_[e.event].push_back({e.timestamp, std::move(e.properties)});
    }
  }

  void LoadTraits() const {
    traits_loaded_ = true;
    if (identities_.empty()) return;
    auto view = profiles_.GetProfile(identities_.front());
    if (!view.ok()) {
      // TraitAt has no error channel: the profile reads as having no traits.
      spdlog::warn("segments: traits of {} unreadable: {}", identities_.front(),
                   view.status().ToString());
      return;
    }
    for (auto& c : view->trait_history) {  // sorted by (timestamp, seq, name)
      traits_[c.name].push_back({c.timestamp, std::move(c.value)});
    }
  }

  const SegmentService& service_;
  const store::Store& store_;
  const identity::ProfileStore& profiles_;
  const EventService& events_index_;
  const ProfileId profile_;
  const std::vector<std::string> identities_;  // sorted
  // this profile's reads of the service's parsed funnels (one lookup under its lock per funnel)
  mutable std::map<FunnelId, Result<std::shared_ptr<const analytics::FunnelDefinition>>,
                   std::less<>>
      funnels_;
  mutable bool events_loaded_ = false, traits_loaded_ = false;
  mutable Status events_error_;
  mutable std::unordered_map<std::string, std::vector<Occurrence>> events_;
  mutable std::unordered_map<std::string, std::vector<TraitValue>> traits_;
  mutable std::unordered_map<SegmentId, bool, StringIdHash, std::equal_to<>> statics_;
};

SegmentService::SegmentService(store::Store& store, const identity::ProfileStore& profiles,
                               const EventService& events, const Clock& clock)
    : store_(store),
      profiles_(profiles),
      events_(events),
      clock_(clock),
      catalog_([this](const SegmentId& segment) { return StaticExists(segment); }) {}

bool SegmentService::StaticExists(const SegmentId& segment) const {
  return store_.segments().Get(segment.value()).ok();
}

// Every profile with at least one event: from the index when loaded, else by scanning the events.
Result<std::vector<ProfileId>> SegmentService::AllProfiles() const {
  std::vector<ProfileId> out;
  if (events_.index_loaded()) {
    events_.ReadIndex([&](const analytics::EventIndex& index, const analytics::PropertySource*) {
      analytics::ViewScratch scratch;
      for (uint32_t slot = 0; slot < index.SlotCount(); ++slot) {
        if (index.View(slot, &scratch).size > 0) out.push_back(index.SlotProfile(slot));
      }
    });
  } else {
    SP_RETURN_IF_ERROR(store_.ScanEvents(0, [&](const Event& e) {
      ProfileId p = profiles_.ProfileOfEvent(e);
      if (p.value() != 0) out.push_back(p);
      return true;
    }));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The profiles in rule segment `name` at `at`, sorted.
Result<std::vector<ProfileId>> SegmentService::RuleMembers(const SegmentId& segment,
                                                           TimeMs at) const {
  SP_ASSIGN_OR_RETURN(std::vector<ProfileId> all, AllProfiles());
  std::vector<ProfileId> out;
  for (ProfileId p : all) {
    SP_ASSIGN_OR_RETURN(bool in, InSegment(segment, p, at));
    if (in) out.push_back(p);
  }
  return out;
}

bool SegmentService::Exists(const SegmentId& segment) const {
  return catalog_.IsRule(segment) || StaticExists(segment);
}

std::unique_ptr<segments::ProfileFacts> SegmentService::FactsOf(ProfileId profile) const {
  return std::make_unique<StoreProfileFacts>(*this, store_, profiles_, events_, profile);
}

Result<bool> SegmentService::InSegment(const SegmentId& segment,
                                       const segments::ProfileFacts& facts, TimeMs at) const {
  if (catalog_.IsRule(segment)) return catalog_.IsMember(segment, facts, at);
  if (facts.InStaticSegment(segment)) return true;
  if (StaticExists(segment)) return false;
  return Status::NotFound(
      fmt::format("segment '{}' does not exist; list segments with `signpost segments`", segment));
}

Result<std::shared_ptr<const analytics::FunnelDefinition>> SegmentService::Funnel(
    const FunnelId& funnel) const {
  {
    MutexLock lock(funnels_mu_);
    if (auto it = funnels_.find(funnel); it != funnels_.end()) return it->second;
  }
  SP_ASSIGN_OR_RETURN(analytics::FunnelDefinition def, StoredFunnel(store_, funnel));
  auto parsed = std::make_shared<const analytics::FunnelDefinition>(std::move(def));
  MutexLock lock(funnels_mu_);
  return funnels_.emplace(funnel, std::move(parsed)).first->second;
}

void SegmentService::FunnelsChanged() {
  MutexLock lock(funnels_mu_);
  funnels_.clear();
}

Result<std::optional<TimeMs>> SegmentService::NextTimeChange(const SegmentId& segment,
                                                             const segments::ProfileFacts& facts,
                                                             TimeMs at) const {
  if (!catalog_.IsRule(segment)) return std::optional<TimeMs>();
  return catalog_.NextTimeChange(segment, facts, at);
}

Result<bool> SegmentService::InSegment(const SegmentId& segment, ProfileId profile,
                                       TimeMs at) const {
  StoreProfileFacts facts(*this, store_, profiles_, events_, profile);
  return InSegment(segment, facts, at);
}

segments::Triggers SegmentService::TriggersOf(const SegmentId& segment) const {
  if (catalog_.IsRule(segment)) {
    segments::Triggers t = catalog_.TriggersOf(segment);
    // A `funnel:` rule changes with the funnel's step events (and trait changes, for status steps).
    std::set<std::string> events(t.events.begin(), t.events.end());
    for (const FunnelId& f : t.funnels) {
      auto def = Funnel(f);
      if (!def.ok()) continue;
      for (const auto& step : (*def)->steps) {
        for (const auto& m : step.any_of) events.insert(m.event);
        if (step.status) t.traits = true;
      }
    }
    t.events.assign(events.begin(), events.end());
    return t;
  }
  segments::Triggers t;
  t.is_static = StaticExists(segment);
  return t;
}

void SegmentService::SetChangeObserver(ChangeObserver observer) {
  MutexLock lock(observer_mu_);
  observer_ = std::move(observer);
}

void SegmentService::Changed(const SegmentId& segment) {
  MutexLock lock(observer_mu_);  // clearing the observer waits for a call in progress
  if (observer_) observer_(segment);
}

Result<std::unique_ptr<SegmentService>> SegmentService::Open(store::Store& store,
                                                             const identity::ProfileStore& profiles,
                                                             const EventService& events,
                                                             const Clock& clock) {
  std::unique_ptr<SegmentService> service(new SegmentService(store, profiles, events, clock));
  SP_ASSIGN_OR_RETURN(auto records, store.definitions().List(store::DefinitionKind::kSegment));
  std::vector<segments::SegmentDefinition> defs;
  for (const auto& r : records) {
    auto def = segments::ParseSegmentDefinition(r.body);
    if (!def.ok()) {
      spdlog::warn("segments: stored segment {} version {} no longer parses, skipped: {}", r.id,
                   r.version, def.status().message());
      continue;
    }
    def->version = r.version;
    defs.push_back(std::move(def).value());
  }
  service->catalog_.Load(std::move(defs));
  return service;
}

Result<AppliedDefinition> SegmentService::Apply(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(segments::SegmentDefinition def, segments::ParseSegmentDefinition(text));
  std::vector<FunnelId> funnels;
  segments::FunnelsOf(def.rule, &funnels);
  for (const FunnelId& f : funnels) {
    if (!store_.definitions().Get(store::DefinitionKind::kFunnel, f.value()).ok())
      return Status::InvalidArgument(fmt::format(
          "rule: funnel: no funnel '{}'; apply its `kind: funnel` definition first", f));
  }
  if (StaticExists(def.id)) {
    return Status::InvalidArgument(fmt::format(
        "id: '{}' is already a static segment (a saved list); give the rule segment another id",
        def.id));
  }
  const SegmentId id = def.id;
  AppliedDefinition out;
  {
    // Check, store and add as one step, so two applies cannot together make a cycle.
    MutexLock lock(apply_mu_);
    SP_RETURN_IF_ERROR(catalog_.Check(def));
    SP_ASSIGN_OR_RETURN(out,
                        StoreDefinition(store_, clock_.NowMs(), store::DefinitionKind::kSegment,
                                        def.id.value(), text, note.empty() ? def.note : note));
    def.version = out.version;
    out.name = def.name;
    SP_RETURN_IF_ERROR(catalog_.Put(std::move(def)));
  }
  Changed(id);
  return out;
}

Status SegmentService::Remove(const SegmentId& segment) {
  {
    MutexLock lock(apply_mu_);
    SP_RETURN_IF_ERROR(
        store_.definitions().Delete(store::DefinitionKind::kSegment, segment.value()));
    catalog_.Remove(segment);
  }
  Changed(segment);
  return Status::Ok();
}

Result<uint64_t> SegmentService::SaveList(const SegmentId& segment,
                                          const std::vector<std::string>& identities,
                                          std::string_view note) {
  uint64_t version = 0;
  {
    MutexLock lock(apply_mu_);
    SP_ASSIGN_OR_RETURN(version,
                        store_.segments().Put(segment.value(), identities, note, clock_.NowMs()));
  }
  Changed(segment);
  return version;
}

Result<std::vector<ProfileId>> SegmentService::Members(const SegmentId& segment) const {
  if (catalog_.IsRule(segment)) return RuleMembers(segment, clock_.NowMs());
  SP_ASSIGN_OR_RETURN(store::StaticSegment seg, store_.segments().Get(segment.value()));
  std::vector<ProfileId> out;
  out.reserve(seg.identities.size());
  for (const auto& identity : seg.identities) {
    ProfileId p = profiles_.ProfileOf(identity);
    if (p.value() != 0) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<SegmentList> SegmentService::List() const {
  std::map<SegmentId, SegmentSummary> by_name;
  SP_ASSIGN_OR_RETURN(auto statics, store_.segments().List());
  for (const auto& s : statics) {
    SegmentSummary& row = by_name[SegmentId(s.name)];
    row.name = SegmentId(s.name);
    row.type = SegmentType::kStatic;
    row.version = s.version;
    row.note = s.note;
    row.at = s.at;
    row.members = s.identities.size();
  }
  SP_ASSIGN_OR_RETURN(auto records, store_.definitions().List(store::DefinitionKind::kSegment));
  for (const auto& r : records) {
    const SegmentId id(r.id);
    auto def = catalog_.Get(id);
    if (def == nullptr) continue;
    SegmentSummary& row = by_name[id];
    row = SegmentSummary();
    row.name = id;
    row.type = SegmentType::kRule;
    row.version = def->version;
    row.note = r.note;
    row.at = r.at;
    row.title = def->name;
    row.rule = segments::RuleView(def->rule);
    row.triggers = TriggersView(TriggersOf(id));
  }
  SegmentList out;
  for (auto& [name, s] : by_name) out.segments.push_back(std::move(s));
  return out;
}

Result<SegmentView> SegmentService::Get(const SegmentId& segment) const {
  if (auto def = catalog_.Get(segment)) {
    SegmentView out;
    out.name = def->id;
    out.type = SegmentType::kRule;
    out.version = def->version;
    out.note = def->note;
    out.title = def->name;
    out.rule = segments::RuleView(def->rule);
    out.evaluated_at = clock_.NowMs();
    SP_ASSIGN_OR_RETURN(std::vector<ProfileId> members, RuleMembers(segment, out.evaluated_at));
    for (ProfileId p : members) {
      std::vector<std::string> ids = profiles_.IdentitiesOf(p);
      out.identities.insert(out.identities.end(), ids.begin(), ids.end());
      SegmentMember& member = out.members.emplace_back();
      member.profile = p;
      member.identities = std::move(ids);
    }
    return out;
  }
  auto s = store_.segments().Get(segment.value());
  if (!s.ok()) {
    if (s.status().code() != Code::kNotFound) return s.status();
    return Status::NotFound(fmt::format(
        "segment '{}' does not exist; list segments with `signpost segments`", segment));
  }
  SegmentView out;
  out.name = SegmentId(s->name);
  out.type = SegmentType::kStatic;
  out.version = s->version;
  out.note = s->note;
  out.identities = std::move(s->identities);
  out.at = s->at;
  return out;
}

Result<SegmentImport> SegmentService::Import(const SegmentId& segment,
                                             const std::vector<std::string>& ids,
                                             std::string_view note, bool add) {
  SP_RETURN_IF_ERROR(CheckId("name", segment.value()));
  std::vector<std::string> identities, unknown;
  std::unordered_set<std::string> seen;
  size_t known = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string_view id = ids[i];
    while (!id.empty() && std::isspace(static_cast<unsigned char>(id.front()))) id.remove_prefix(1);
    while (!id.empty() && std::isspace(static_cast<unsigned char>(id.back()))) id.remove_suffix(1);
    const bool prefixed = id.rfind("user:", 0) == 0 || id.rfind("anon:", 0) == 0;
    if (id.empty() || (prefixed && id.size() == 5))
      return Status::InvalidArgument(
          fmt::format("ids[{}]: '{}' names no one; give user:ID, anon:ID or a userId", i, ids[i]));
    if (std::any_of(id.begin(), id.end(),
                    [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); }))
      return Status::InvalidArgument(fmt::format(
          "ids[{}]: contains a control character; give one id per line (user:ID, anon:ID or a "
          "userId)",
          i));
    auto resolved = profiles_.Resolve(id);
    std::string identity = resolved.ok() ? *resolved
                           : prefixed    ? std::string(id)
                                         : "user:" + std::string(id);
    if (!seen.insert(identity).second) continue;
    if (resolved.ok()) {
      ++known;
    } else {
      unknown.push_back(identity);
    }
    identities.push_back(std::move(identity));
  }
  const size_t imported = identities.size();
  std::string text(note);
  if (text.empty()) text = fmt::format("imported {} ids", imported);
  uint64_t version = 0;
  {
    // Checked and stored as one step, so a rule segment of the same name cannot appear between.
    MutexLock lock(apply_mu_);
    if (catalog_.IsRule(segment))
      return Status::InvalidArgument(fmt::format(
          "segment '{}' is a rule segment (`kind: segment`), whose members follow its rule; import "
          "the list under another name",
          segment));
    if (add) {
      auto current = store_.segments().Get(segment.value());
      if (!current.ok() && current.status().code() != Code::kNotFound) return current.status();
      if (current.ok()) {
        std::vector<std::string> merged = current->identities;
        std::unordered_set<std::string> present(merged.begin(), merged.end());
        for (auto& id : identities) {
          if (!present.count(id)) merged.push_back(std::move(id));
        }
        identities = std::move(merged);
      }
    }
    SP_ASSIGN_OR_RETURN(version,
                        store_.segments().Put(segment.value(), identities, text, clock_.NowMs()));
  }
  Changed(segment);
  SegmentImport out;
  out.segment = segment;
  out.version = version;
  out.add = add;
  out.imported = imported;
  out.members = identities.size();
  out.known = known;
  out.unknown_count = unknown.size();
  if (unknown.size() > 100) unknown.resize(100);
  out.unknown = std::move(unknown);
  out.note = std::move(text);
  return out;
}

Result<ProfileSegments> SegmentService::SegmentsOf(std::string_view profile) const {
  ProfileSegments out;
  SP_ASSIGN_OR_RETURN(out.identity, profiles_.Resolve(profile));
  out.profile = profiles_.ProfileOf(out.identity);
  out.evaluated_at = clock_.NowMs();
  StoreProfileFacts facts(*this, store_, profiles_, events_, out.profile);
  std::set<SegmentId> names;
  for (const auto& def : catalog_.List()) names.insert(def->id);
  SP_ASSIGN_OR_RETURN(auto statics, store_.segments().List());
  for (const auto& s : statics) names.insert(SegmentId(s.name));
  for (const auto& name : names) {
    SP_ASSIGN_OR_RETURN(bool in, InSegment(name, facts, out.evaluated_at));
    if (in) out.segments.push_back(name);
  }
  return out;
}

// ---- privacy: one person ---------------------------------------------------------------------

Status SegmentService::ExportPerson(const Person& person, PersonExport* out) const {
  SP_ASSIGN_OR_RETURN(auto versions, store_.segments().Holding(person.identities));
  SP_ASSIGN_OR_RETURN(auto latest, store_.segments().List());
  for (const auto& v : versions) {
    if (out->static_lists.empty() || out->static_lists.back().name.value() != v.name)
      out->static_lists.push_back({.name = SegmentId(v.name), .versions = {}, .identities = {}});
    PersonStaticList& list = out->static_lists.back();
    list.versions.push_back(v.version);
    for (const auto& identity : v.identities) {
      if (std::find(person.identities.begin(), person.identities.end(), identity) !=
              person.identities.end() &&
          std::find(list.identities.begin(), list.identities.end(), identity) ==
              list.identities.end())
        list.identities.push_back(identity);
    }
    for (const auto& l : latest)
      if (l.name == v.name && l.version == v.version) list.latest = true;
  }
  if (person.identities.empty()) return Status::Ok();
  SP_ASSIGN_OR_RETURN(ProfileSegments now, SegmentsOf(person.identities.front()));
  out->segments = std::move(now.segments);
  out->segments_evaluated_at = now.evaluated_at;
  return Status::Ok();
}

Result<PersonForgotten> SegmentService::ForgetPerson(const Person& person) {
  return ForgetPeople(std::span<const Person>(&person, 1));
}

Result<PersonForgotten> SegmentService::ForgetPeople(std::span<const Person> people) {
  MutexLock lock(apply_mu_);
  std::vector<std::string> identities;
  std::unordered_map<std::string_view, size_t> person_of;  // identity -> index in people
  for (size_t p = 0; p < people.size(); ++p) {
    for (const std::string& identity : people[p].identities) {
      identities.push_back(identity);
      person_of.emplace(identity, p);
    }
  }
  SP_ASSIGN_OR_RETURN(auto holding, store_.segments().Holding(identities));
  // Per person: the versions and the lists that hold them.
  std::vector<std::set<std::string>> lists(people.size());
  PersonForgotten out;
  for (const auto& v : holding) {
    std::set<size_t> held;
    for (const std::string& identity : v.identities) {
      auto it = person_of.find(identity);
      if (it != person_of.end()) held.insert(it->second);
    }
    out.static_versions += held.size();
    for (size_t p : held) lists[p].insert(v.name);
  }
  for (const auto& l : lists) out.static_lists += l.size();
  SP_RETURN_IF_ERROR(store_.segments().Forget(identities).status());
  return out;
}

}  // namespace signpost::engine
