// Engine: funnels (reports, people, saving people as a segment, last completed step).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "analytics/funnel_query.h"
#include "analytics/funnel_query_json.h"
#include "base/duration.h"
#include "base/id_rule.h"
#include "base/time.h"
#include "engine/engine_impl.h"

namespace signpost {

using nlohmann::json;

namespace {

// A query field as text, whether it came as a JSON string (HTTP query) or number (CLI).
std::string QueryText(const json& q, const char* key) {
  if (!q.contains(key)) return "";
  const json& v = q[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

Result<int64_t> Integer(const json& q, const char* key, int64_t fallback) {
  std::string t = QueryText(q, key);
  if (t.empty()) return fallback;
  try {
    size_t used = 0;
    int64_t v = std::stoll(t, &used);
    if (used == t.size()) return v;
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument(fmt::format("{}: '{}' is not a whole number", key, t));
}

}  // namespace

Result<json> Engine::Impl::ApplyFunnel(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(analytics::FunnelDefinition def, analytics::ParseFunnelDefinition(text));
  return StoreDefinition(store::DefinitionKind::kFunnel, def.id, text,
                         note.empty() ? def.note : note);
}

// ---- funnels ------------------------------------------------------------------------------------

namespace {

struct ResolvedFunnel {
  analytics::FunnelDefinition def;
  analytics::FunnelOptions options;
  analytics::PeopleQuery people;
};

}  // namespace

// The definition (stored or ad hoc) with the query's overrides, and the run options.
static Result<ResolvedFunnel> Resolve(
    const Engine::Impl& m, std::string_view id, const json& q,
    const std::function<Result<std::vector<ProfileId>>(std::string_view)>& segment_members) {
  ResolvedFunnel r;
  if (!id.empty()) {
    SP_ASSIGN_OR_RETURN(int64_t version, Integer(q, "version", 0));
    SP_ASSIGN_OR_RETURN(store::VersionedRecord rec,
                        m.store().definitions().Get(store::DefinitionKind::kFunnel, id,
                                                    static_cast<uint64_t>(version)));
    SP_ASSIGN_OR_RETURN(r.def, analytics::ParseFunnelDefinition(rec.body));
    r.def.id = rec.id;
    r.options.definition_version = static_cast<int64_t>(rec.version);
  } else if (q.contains("steps") && q["steps"].is_string()) {
    SP_ASSIGN_OR_RETURN(r.def, analytics::ParseAdHocFunnel(q["steps"].get<std::string>()));
  } else if (q.contains("definition") && q["definition"].is_object()) {
    SP_ASSIGN_OR_RETURN(r.def, analytics::ParseFunnelDefinition(q["definition"].dump()));
  } else {
    return Status::InvalidArgument(
        "steps: missing; give a stored funnel id, `steps: \"A>B>C\"` or a `definition` object");
  }
  SP_RETURN_IF_ERROR(analytics::ApplyQueryJson(q, &r.def, &r.options, &r.people));
  SP_RETURN_IF_ERROR(analytics::ValidateFunnel(r.def));
  r.options.threads = m.options.query_threads;
  if (std::string s = QueryText(q, "segment"); !s.empty()) {
    SP_ASSIGN_OR_RETURN(r.options.segment, segment_members(s));
  }
  return r;
}

Result<json> Engine::Funnel(std::string_view id, const json& query) const {
  const Impl& m = *impl_;
  SP_RETURN_IF_ERROR(m.events->RequireIndex());
  auto members = [&m](std::string_view s) { return m.segments->Members(s); };
  SP_ASSIGN_OR_RETURN(ResolvedFunnel f, Resolve(m, id, query, members));
  SP_ASSIGN_OR_RETURN(analytics::FunnelReport report,
                      m.events->ReadIndex([&](const analytics::EventIndex& index,
                                              const analytics::PropertySource* properties) {
                        return analytics::RunFunnel(index, f.def, f.options, properties);
                      }));
  json out = analytics::ToJson(report);
  out["funnel"] = f.def.id.empty() ? "ad-hoc" : f.def.id;
  out["version"] = f.options.definition_version;
  out["name"] = f.def.name;
  return out;
}

Result<json> Engine::Impl::PeopleJson(std::string_view id, const json& query,
                                      std::vector<std::string>* identities) const {
  SP_RETURN_IF_ERROR(events->RequireIndex());
  auto members = [this](std::string_view s) { return segments->Members(s); };
  SP_ASSIGN_OR_RETURN(ResolvedFunnel f, Resolve(*this, id, query, members));
  analytics::PeopleQuery pq = f.people;
  pq.now = clock->NowMs();
  SP_ASSIGN_OR_RETURN(std::vector<analytics::FunnelPerson> people,
                      events->ReadIndex([&](const analytics::EventIndex& index,
                                            const analytics::PropertySource* properties) {
                        return analytics::FunnelPeople(index, f.def, f.options, pq, properties);
                      }));
  json list = analytics::ToJson(people);
  for (size_t i = 0; i < people.size(); ++i) {
    std::vector<std::string> ids = profiles->IdentitiesOf(people[i].profile);
    if (identities) identities->insert(identities->end(), ids.begin(), ids.end());
    list[i]["identities"] = ids;
  }
  return json{{"funnel", f.def.id.empty() ? "ad-hoc" : f.def.id},
              {"version", f.options.definition_version},
              {"completed", pq.completed},
              {"dropped_at", pq.dropped_at},
              {"count", list.size()},
              {"people", list}};
}

Result<json> Engine::FunnelPeople(std::string_view id, const json& query) const {
  return impl_->PeopleJson(id, query, nullptr);
}

Result<json> Engine::SaveFunnelPeople(std::string_view id, const json& query,
                                      std::string_view segment) {
  Impl& m = *impl_;
  SP_RETURN_IF_ERROR(CheckId("name", segment));
  std::vector<std::string> identities;
  SP_ASSIGN_OR_RETURN(json people, m.PeopleJson(id, query, &identities));
  std::string note = fmt::format(
      "people of funnel {} v{}: {}", people["funnel"].get<std::string>(),
      people["version"].get<int64_t>(),
      people["dropped_at"].get<int>() > 0
          ? fmt::format("reached step {} but not the next", people["dropped_at"].get<int>())
          : fmt::format("completed step {}", people["completed"].get<int>()));
  SP_ASSIGN_OR_RETURN(uint64_t version, m.segments->SaveList(segment, identities, note));
  return json{
      {"segment", segment}, {"version", version}, {"members", people["count"]}, {"note", note}};
}

Result<int> Engine::Impl::LastStepOf(std::string_view funnel, ProfileId pid, TimeMs now) const {
  SP_RETURN_IF_ERROR(events->RequireIndex());
  auto members = [this](std::string_view s) { return segments->Members(s); };
  SP_ASSIGN_OR_RETURN(ResolvedFunnel f, Resolve(*this, funnel, json::object(), members));
  auto person = events->ReadIndex(
      [&](const analytics::EventIndex& index, const analytics::PropertySource* properties) {
        return analytics::LastCompletedStep(index, f.def, f.options, pid, now, properties);
      });
  if (person.ok()) return analytics::ToJson(*person).value("last_step", 0);
  if (person.status().code() == Code::kNotFound) return 0;
  return person.status();
}

Result<json> Engine::LastCompletedStep(std::string_view funnel_id, std::string_view profile) const {
  const Impl& m = *impl_;
  SP_RETURN_IF_ERROR(m.events->RequireIndex());
  auto members = [&m](std::string_view s) { return m.segments->Members(s); };
  SP_ASSIGN_OR_RETURN(ResolvedFunnel f, Resolve(m, funnel_id, json::object(), members));
  SP_ASSIGN_OR_RETURN(std::string identity, m.profiles->Resolve(profile));
  ProfileId pid = m.profiles->ProfileOf(identity);
  const TimeMs now = m.clock->NowMs();
  auto person = m.events->ReadIndex(
      [&](const analytics::EventIndex& index, const analytics::PropertySource* properties) {
        return analytics::LastCompletedStep(index, f.def, f.options, pid, now, properties);
      });
  json out;
  if (person.ok()) {
    out = analytics::ToJson(*person);
  } else if (person.status().code() == Code::kNotFound) {
    out = {{"profile", pid.value()}, {"last_step", 0}, {"last_step_name", nullptr}};  // no events
  } else {
    return person.status();
  }
  out["funnel"] = f.def.id;
  out["version"] = f.options.definition_version;
  out["identity"] = identity;
  return out;
}

}  // namespace signpost
