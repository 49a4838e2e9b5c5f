// FunnelService: funnel definitions and queries (reports, people, saving people as a segment,
// last completed step). Takes typed queries (signpost/queries.h) and returns typed reports
// (signpost/reports.h); JSON is src/wire's.
#include "engine/funnel_service.h"

#include <fmt/format.h>

#include "analytics/funnel_query.h"
#include "analytics/tracking_consent.h"
#include "base/id_rule.h"
#include "engine/definition_records.h"
#include "rules/property_path.h"

namespace signpost::engine {

// ---- funnels ------------------------------------------------------------------------------------

namespace {

// The query's overrides of the definition and its report options.
Status ApplyQuery(const FunnelQuery& q, analytics::FunnelDefinition* def,
                  analytics::FunnelOptions* options) {
  if (q.window) def->window = *q.window;
  if (q.order) def->order = *q.order;
  if (q.entry) def->entry = *q.entry;
  options->from = q.from;
  options->to = q.to;
  if (!q.breakdown.empty()) {
    auto path = rules::ParsePropertyPath(q.breakdown);
    if (!path.ok()) return Status::InvalidArgument("query.breakdown: " + path.status().message());
    options->breakdown = q.breakdown;
  }
  if (q.breakdown_attribution) options->attribution = *q.breakdown_attribution;
  if (q.top) options->top = *q.top;
  if (q.completion_windows) options->completion_windows = *q.completion_windows;
  options->trend = q.trend;
  return Status::Ok();
}

}  // namespace

FunnelService::FunnelService(const EngineOptions& options, store::Store& store,
                             const identity::ProfileStore& profiles, const EventService& events,
                             SegmentService& segments, const Clock& clock,
                             const SettingsService* settings)
    : query_threads_(options.query_threads),
      store_(store),
      profiles_(profiles),
      events_(events),
      segments_(segments),
      clock_(clock),
      settings_(settings) {}

Result<AppliedDefinition> FunnelService::Apply(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(analytics::FunnelDefinition def, analytics::ParseFunnelDefinition(text));
  return StoreDefinition(store_, clock_.NowMs(), store::DefinitionKind::kFunnel, def.id.value(),
                         text, note.empty() ? def.note : note);
}

Result<FunnelService::Resolved> FunnelService::Resolve(const FunnelQuery& q) const {
  Resolved r;
  if (!q.id.empty()) {
    SP_ASSIGN_OR_RETURN(
        store::VersionedRecord rec,
        store_.definitions().Get(store::DefinitionKind::kFunnel, q.id.value(), q.version));
    SP_ASSIGN_OR_RETURN(r.def, analytics::ParseFunnelDefinition(rec.body));
    r.def.id = FunnelId(rec.id);
    r.options.definition_version = static_cast<int64_t>(rec.version);
  } else if (!q.steps.empty()) {
    SP_ASSIGN_OR_RETURN(r.def, analytics::ParseAdHocFunnel(q.steps));
  } else if (!q.definition.empty()) {
    SP_ASSIGN_OR_RETURN(r.def, analytics::ParseFunnelDefinition(q.definition));
  } else {
    return Status::InvalidArgument(
        "steps: missing; give a stored funnel id, `steps: \"A>B>C\"` or a `definition` object");
  }
  SP_RETURN_IF_ERROR(ApplyQuery(q, &r.def, &r.options));
  SP_RETURN_IF_ERROR(analytics::ValidateFunnel(r.def));
  r.options.threads = query_threads_;
  if (!q.segment.empty()) {
    SP_ASSIGN_OR_RETURN(r.options.segment, segments_.Members(q.segment));
  }
  return r;
}

Result<FunnelReport> FunnelService::Report(const FunnelQuery& query) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(query));
  return events_.ReadIndex([&](const analytics::EventIndex& index,
                               const analytics::PropertySource* properties)
                               -> Result<FunnelReport> {
    const bool segment = f.options.segment.has_value();
    const uint64_t segment_size = segment ? f.options.segment->size() : 0;
    SP_ASSIGN_OR_RETURN(uint64_t without, NarrowToConsent(index, properties, f,
                                                          f.options.to.value_or(clock_.NowMs())));
    SP_ASSIGN_OR_RETURN(FunnelReport r, analytics::RunFunnel(index, f.def, f.options, properties));
    if (!f.def.consent.empty()) {  // privacy: the segment the report names is the query's
      r.segment = segment;
      r.segment_size = segment_size;
      r.consent = f.def.consent;
      r.without_consent = without;
    }
    return r;
  });
}

Result<uint64_t> FunnelService::NarrowToConsent(const analytics::EventIndex& index,
                                                const analytics::PropertySource* properties,
                                                Resolved& f, TimeMs as_of) const {
  if (f.def.consent.empty()) return uint64_t{0};
  analytics::ConsentRequirement need;
  need.categories = f.def.consent;
  if (settings_ != nullptr) {
    const ConsentSettings defaults = settings_->Current().consent;
    need.defaults = defaults.categories;
    need.granted_by_default = defaults.granted_by_default;
  }
  SP_ASSIGN_OR_RETURN(std::vector<uint8_t> mask,
                      analytics::ConsentMask(index, need, as_of, properties));
  std::vector<uint8_t> in_segment;
  if (f.options.segment) {
    in_segment.assign(mask.size(), 0);
    for (ProfileId p : *f.options.segment) {
      const int64_t slot = index.SlotOf(p);
      if (slot >= 0) in_segment[static_cast<size_t>(slot)] = 1;
    }
  }
  std::vector<ProfileId> counted;
  uint64_t without = 0;
  analytics::ViewScratch scratch;
  for (uint32_t slot = 0; slot < mask.size(); ++slot) {
    if (!in_segment.empty() && !in_segment[slot]) continue;
    if (mask[slot]) {
      counted.push_back(index.SlotProfile(slot));
    } else if (index.View(slot, &scratch).size > 0) {
      ++without;
    }
  }
  f.options.segment = std::move(counted);
  return without;
}

Result<std::vector<FunnelPerson>> FunnelService::PeopleOf(Resolved& f,
                                                          const analytics::PeopleQuery& pq) const {
  return events_.ReadIndex(
      [&](const analytics::EventIndex& index,
          const analytics::PropertySource* properties) -> Result<std::vector<FunnelPerson>> {
        // privacy: only the people who count (as of the range's end, else now)
        SP_RETURN_IF_ERROR(
            NarrowToConsent(index, properties, f, f.options.to.value_or(pq.now)).status());
        return analytics::FunnelPeople(index, f.def, f.options, pq, properties);
      });
}

Result<FunnelPeople> FunnelService::People(const FunnelPeopleQuery& query) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(query.funnel));
  analytics::PeopleQuery pq;
  pq.completed = query.completed;
  pq.dropped_at = query.dropped_at;
  pq.now = clock_.NowMs();
  signpost::FunnelPeople out;
  out.funnel = f.def.id;
  out.version = f.options.definition_version;
  out.completed = pq.completed;
  out.dropped_at = pq.dropped_at;
  SP_ASSIGN_OR_RETURN(out.people, PeopleOf(f, pq));
  for (FunnelPerson& p : out.people) p.identities = profiles_.IdentitiesOf(p.profile);
  return out;
}

// The people who dropped at query.step (reached it, not the next step: each at its best attempt
// over its events, as of now) for longer than query.stuck_for: the members now of the step
// segment rule `funnel: {id, reached: step, not_reached: step + 1, stuck_for: {gt: stuck_for}}`.
Result<FunnelStuck> FunnelService::Stuck(const FunnelStuckQuery& query) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  FunnelQuery fq;
  fq.id = query.funnel;
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(fq));
  analytics::PeopleQuery pq;
  pq.dropped_at = query.step;
  pq.now = clock_.NowMs();
  SP_ASSIGN_OR_RETURN(std::vector<FunnelPerson> people, PeopleOf(f, pq));
  FunnelStuck out;
  out.funnel = query.funnel;
  out.version = f.options.definition_version;
  out.step = query.step;
  out.next_step = query.step + 1;
  out.stuck_for = query.stuck_for;
  out.as_of = pq.now;
  for (const FunnelPerson& p : people) out.people += p.stuck_ms > query.stuck_for ? 1 : 0;
  const auto k = static_cast<size_t>(query.step);  // in range: PeopleOf refuses a step after it
  if (k >= 1 && k < f.def.steps.size()) {
    out.step_name = f.def.steps[k - 1].name;
    out.next_step_name = f.def.steps[k].name;
  }
  return out;
}

Result<SavedFunnelPeople> FunnelService::SavePeople(const FunnelPeopleQuery& query,
                                                    const SegmentId& segment) {
  SP_RETURN_IF_ERROR(CheckId("name", segment.value()));
  SP_ASSIGN_OR_RETURN(FunnelPeople people, People(query));
  std::vector<std::string> identities;
  for (const FunnelPerson& p : people.people)
    identities.insert(identities.end(), p.identities.begin(), p.identities.end());
  SavedFunnelPeople saved;
  saved.segment = segment;
  saved.members = people.people.size();
  saved.note = fmt::format("people of funnel {} v{}: {}",
                           people.funnel.empty() ? "ad-hoc" : people.funnel.value(), people.version,
                           people.dropped_at > 0
                               ? fmt::format("reached step {} but not the next", people.dropped_at)
                               : fmt::format("completed step {}", people.completed));
  SP_ASSIGN_OR_RETURN(saved.version, segments_.SaveList(segment, identities, saved.note));
  return saved;
}

Result<analytics::FunnelPosition> FunnelService::PositionOf(const FunnelId& funnel, ProfileId pid,
                                                            TimeMs at) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  FunnelQuery q;
  q.id = funnel;
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(q));
  return events_.ReadIndex(
      [&](const analytics::EventIndex& index, const analytics::PropertySource* properties) {
        return analytics::PositionAsOf(index, f.def, f.options, pid, at, properties);
      });
}

Result<FunnelLastStep> FunnelService::LastStep(const FunnelId& funnel,
                                               std::string_view profile) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  FunnelQuery q;
  q.id = funnel;
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(q));
  FunnelLastStep out;
  SP_ASSIGN_OR_RETURN(out.identity, profiles_.Resolve(profile));
  ProfileId pid = profiles_.ProfileOf(out.identity);
  out.funnel = f.def.id;
  out.version = f.options.definition_version;
  const TimeMs now = clock_.NowMs();
  auto person = events_.ReadIndex(
      [&](const analytics::EventIndex& index, const analytics::PropertySource* properties) {
        return analytics::LastCompletedStep(index, f.def, f.options, pid, now, properties);
      });
  if (person.ok()) {
    out.person = std::move(*person);
  } else if (person.status().code() == Code::kNotFound) {
    out.person.profile = pid;  // no events: last_step 0
  } else {
    return person.status();
  }
  return out;
}

}  // namespace signpost::engine
