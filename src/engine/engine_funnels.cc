// Engine: funnels (reports, people, saving people as a segment, last completed step). Takes typed
// queries (signpost/queries.h) and returns typed reports (signpost/reports.h); JSON is src/wire's.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "analytics/funnel_query.h"
#include "base/id_rule.h"
#include "engine/engine_impl.h"
#include "rules/property_path.h"

namespace signpost {

Result<nlohmann::json> Engine::Impl::ApplyFunnel(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(analytics::FunnelDefinition def, analytics::ParseFunnelDefinition(text));
  return StoreDefinition(store::DefinitionKind::kFunnel, def.id, text,
                         note.empty() ? def.note : note);
}

// ---- funnels ------------------------------------------------------------------------------------

namespace {

struct ResolvedFunnel {
  analytics::FunnelDefinition def;
  analytics::FunnelOptions options;
};

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

// The definition (stored or ad hoc) with the query's overrides, and the run options.
static Result<ResolvedFunnel> Resolve(const Engine::Impl& m, const FunnelQuery& q) {
  ResolvedFunnel r;
  if (!q.id.empty()) {
    SP_ASSIGN_OR_RETURN(
        store::VersionedRecord rec,
        m.store().definitions().Get(store::DefinitionKind::kFunnel, q.id, q.version));
    SP_ASSIGN_OR_RETURN(r.def, analytics::ParseFunnelDefinition(rec.body));
    r.def.id = rec.id;
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
  r.options.threads = m.options.query_threads;
  if (!q.segment.empty()) {
    SP_ASSIGN_OR_RETURN(r.options.segment, m.segments->Members(SegmentId(q.segment)));
  }
  return r;
}

Result<FunnelReport> Engine::Funnel(const FunnelQuery& query) const {
  const Impl& m = *impl_;
  SP_RETURN_IF_ERROR(m.events->RequireIndex());
  SP_ASSIGN_OR_RETURN(ResolvedFunnel f, Resolve(m, query));
  return m.events->ReadIndex(
      [&](const analytics::EventIndex& index, const analytics::PropertySource* properties) {
        return analytics::RunFunnel(index, f.def, f.options, properties);
      });
}

Result<FunnelPeople> Engine::FunnelPeople(const FunnelPeopleQuery& query) const {
  const Impl& m = *impl_;
  SP_RETURN_IF_ERROR(m.events->RequireIndex());
  SP_ASSIGN_OR_RETURN(ResolvedFunnel f, Resolve(m, query.funnel));
  analytics::PeopleQuery pq;
  pq.completed = query.completed;
  pq.dropped_at = query.dropped_at;
  pq.now = m.clock->NowMs();
  signpost::FunnelPeople out;
  out.funnel = f.def.id;
  out.version = f.options.definition_version;
  out.completed = pq.completed;
  out.dropped_at = pq.dropped_at;
  SP_ASSIGN_OR_RETURN(out.people,
                      m.events->ReadIndex([&](const analytics::EventIndex& index,
                                              const analytics::PropertySource* properties) {
                        return analytics::FunnelPeople(index, f.def, f.options, pq, properties);
                      }));
  for (FunnelPerson& p : out.people) p.identities = m.profiles->IdentitiesOf(p.profile);
  return out;
}

Result<SavedFunnelPeople> Engine::SaveFunnelPeople(const FunnelPeopleQuery& query,
                                                   std::string_view segment) {
  Impl& m = *impl_;
  SP_RETURN_IF_ERROR(CheckId("name", segment));
  SP_ASSIGN_OR_RETURN(signpost::FunnelPeople people, FunnelPeople(query));
  std::vector<std::string> identities;
  for (const FunnelPerson& p : people.people)
    identities.insert(identities.end(), p.identities.begin(), p.identities.end());
  SavedFunnelPeople saved;
  saved.segment = std::string(segment);
  saved.members = people.people.size();
  saved.note = fmt::format("people of funnel {} v{}: {}",
                           people.funnel.empty() ? "ad-hoc" : people.funnel, people.version,
                           people.dropped_at > 0
                               ? fmt::format("reached step {} but not the next", people.dropped_at)
                               : fmt::format("completed step {}", people.completed));
  SP_ASSIGN_OR_RETURN(saved.version, m.segments->SaveList(segment, identities, saved.note));
  return saved;
}

Result<int> Engine::Impl::LastStepOf(std::string_view funnel, ProfileId pid, TimeMs now) const {
  SP_RETURN_IF_ERROR(events->RequireIndex());
  FunnelQuery q;
  q.id = std::string(funnel);
  SP_ASSIGN_OR_RETURN(ResolvedFunnel f, Resolve(*this, q));
  auto person = events->ReadIndex(
      [&](const analytics::EventIndex& index, const analytics::PropertySource* properties) {
        return analytics::LastCompletedStep(index, f.def, f.options, pid, now, properties);
      });
  if (person.ok()) return person->last_step;
  if (person.status().code() == Code::kNotFound) return 0;
  return person.status();
}

Result<FunnelLastStep> Engine::LastCompletedStep(std::string_view funnel_id,
                                                 std::string_view profile) const {
  const Impl& m = *impl_;
  SP_RETURN_IF_ERROR(m.events->RequireIndex());
  FunnelQuery q;
  q.id = std::string(funnel_id);
  SP_ASSIGN_OR_RETURN(ResolvedFunnel f, Resolve(m, q));
  FunnelLastStep out;
  SP_ASSIGN_OR_RETURN(out.identity, m.profiles->Resolve(profile));
  ProfileId pid = m.profiles->ProfileOf(out.identity);
  out.funnel = f.def.id;
  out.version = f.options.definition_version;
  const TimeMs now = m.clock->NowMs();
  auto person = m.events->ReadIndex(
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

}  // namespace signpost
