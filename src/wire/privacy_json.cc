// Privacy regulations as JSON: the request of POST /api/regulations (Segment's regulation API
// shape) and the regulation report both the API and `signpost erase --json` write.
#include <fmt/format.h>

#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

Result<RegulationRequest> ParseRegulationRequest(const json& body) {
  if (!body.is_object()) {
    return Status::InvalidArgument(
        "body: expected an object {\"regulationType\": ..., \"subject\": {\"type\": ..., "
        "\"ids\": [...]}}");
  }
  RegulationRequest request;
  auto type = body.find("regulationType");
  if (type == body.end() || !type->is_string()) {
    return Status::InvalidArgument(
        "regulationType: missing or not a string; use DELETE, SUPPRESS, SUPPRESS_WITH_DELETE or "
        "UNSUPPRESS");
  }
  SP_ASSIGN_OR_RETURN(request.type, ParseRegulationType(type->get<std::string>()));
  auto subject = body.find("subject");
  if (subject == body.end() || !subject->is_object()) {
    return Status::InvalidArgument(
        "subject: missing or not an object; send {\"type\": \"userId\", \"ids\": [...]}");
  }
  auto subject_type = subject->find("type");
  if (subject_type != subject->end()) {
    if (!subject_type->is_string()) {
      return Status::InvalidArgument("subject.type: expected userId, anonymousId or identity");
    }
    SP_ASSIGN_OR_RETURN(request.subject, ParseSubjectType(subject_type->get<std::string>()));
  } else {
    request.subject = SubjectType::kUserId;  // Segment's default subject
  }
  auto ids = subject->find("ids");
  if (ids == subject->end() || !ids->is_array() || ids->empty()) {
    return Status::InvalidArgument("subject.ids: missing or empty; send a list of ids");
  }
  if (ids->size() > kMaxRegulationIds) {
    return Status::InvalidArgument(
        fmt::format("subject.ids: {} ids is more than {} per request; send them in several",
                    ids->size(), kMaxRegulationIds));
  }
  request.ids.reserve(ids->size());
  for (size_t i = 0; i < ids->size(); ++i) {
    const json& id = (*ids)[i];
    if (!id.is_string() || id.get_ref<const std::string&>().empty()) {
      return Status::InvalidArgument(
          fmt::format("subject.ids[{}]: expected a non-empty string", i));
    }
    const std::string& text = id.get_ref<const std::string&>();
    if (text.size() > kMaxRegulationIdBytes) {
      return Status::InvalidArgument(fmt::format("subject.ids[{}]: {} bytes is longer than {}", i,
                                                 text.size(), kMaxRegulationIdBytes));
    }
    request.ids.push_back(text);
  }
  return request;
}

json ToJson(const RegulationReport& r) {
  return json{{"regulationId", std::to_string(r.id)},
              {"regulationType", RegulationTypeName(r.type)},
              {"state", r.state},
              {"createdAt", FormatIso8601(r.created_at)},
              {"finishedAt", r.finished_at ? json(FormatIso8601(r.finished_at)) : json(nullptr)},
              {"subjects", r.subjects},
              {"found", r.found},
              {"notFound", r.not_found},
              {"profilesErased", r.profiles_erased},
              {"identitiesErased", r.identities_erased},
              {"eventsErased", r.events_erased},
              {"identitiesSuppressed", r.identities_suppressed},
              {"identitiesUnsuppressed", r.identities_unsuppressed},
              {"refusedEvents", r.refused_events},
              {"services", r.services},
              {"forgotten",
               {{"journeyExits", r.forgotten.journey_exits},
                {"journeyStates", r.forgotten.journey_states},
                {"queuedInputs", r.forgotten.queued_inputs},
                {"outboxCancelled", r.forgotten.outbox_cancelled},
                {"outboxDeleted", r.forgotten.outbox_deleted},
                {"staticLists", r.forgotten.static_lists},
                {"staticVersions", r.forgotten.static_versions},
                {"deadLetters", r.forgotten.dead_letters},
                {"banditsReloaded", r.forgotten.bandits_reloaded}}},
              {"purged", r.purged}};
}

}  // namespace signpost::wire
