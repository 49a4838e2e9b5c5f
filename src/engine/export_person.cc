// Engine::ExportPerson: everything signpost holds about one person (an access or portability
// request), gathered from each service that holds something about them (their ExportPerson) and
// from the person's own events (journey exits, experiment arms).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/system_events.h"
#include "engine/engine_impl.h"
#include "engine/person.h"

namespace signpost {

using nlohmann::json;
namespace se = system_events;

namespace {

// The journey of `out` named `id`, added when the runtime kept no state for it.
PersonJourney& JourneyOf(PersonExport& out, const std::string& id) {
  for (PersonJourney& j : out.journeys)
    if (j.journey.value() == id) return j;
  PersonJourney j;
  j.journey = JourneyId(id);
  out.journeys.push_back(std::move(j));
  return out.journeys.back();
}

// Journey exits and experiment arms, from the person's journey system events.
void ReadJourneyEvents(PersonExport& out) {
  for (const Event& e : out.events) {
    if (e.type != EventType::kTrack) continue;
    const bool exited = e.event == se::kJourneyExited;
    const bool assigned = e.event == se::kExperimentAssigned;
    const bool entered = e.event == se::kJourneyEntered;
    if (!exited && !assigned && !entered) continue;
    const json p = json::parse(e.properties, nullptr, false);
    if (!p.is_object() || !p.contains(se::kPropJourney)) continue;
    const std::string journey = p.value(std::string(se::kPropJourney), std::string());
    const uint32_t entry = p.value(std::string(se::kPropEntry), uint32_t{0});
    if (exited) {
      JourneyOf(out, journey)
          .exits.push_back({.entry = entry,
                            .reason = p.value("reason", std::string()),
                            .step = p.value("step", std::string()),
                            .at = e.timestamp});
    } else if (assigned) {
      out.experiments.push_back({.journey = JourneyId(journey),
                                 .entry = entry,
                                 .step = p.value("step", std::string()),
                                 .variant = p.value("variant", std::string()),
                                 .at = e.timestamp});
    } else if (p.value("holdout", false)) {
      out.experiments.push_back({.journey = JourneyId(journey),
                                 .entry = entry,
                                 .step = "",
                                 .variant = "holdout",
                                 .at = e.timestamp});
    }
  }
}

}  // namespace

Result<PersonExport> Engine::ExportPerson(std::string_view id, size_t event_limit) const {
  if (event_limit == 0 || event_limit > kExportEventLimitMax)
    return Status::InvalidArgument(
        fmt::format("event_limit: {} is out of range; give 1 to {} (default {})", event_limit,
                    kExportEventLimitMax, kExportEventLimit));
  const Impl& m = *impl_;
  SP_ASSIGN_OR_RETURN(const std::string identity, m.profiles->Resolve(id));
  engine::Person person;
  person.profile = m.profiles->ProfileOf(identity);
  person.identities = m.profiles->IdentitiesOf(person.profile);
  // audit: an export of one profile (its id, never its data) — wired when the audit log lands

  PersonExport out;
  out.requested = std::string(id);
  out.exported_at = m.clock->NowMs();
  SP_ASSIGN_OR_RETURN(out.profile, m.profile_reports->Profile(identity));
  out.profile.last_events.clear();  // all of them are in `events`
  out.event_limit = event_limit;
  SP_ASSIGN_OR_RETURN(out.events, m.profiles->ProfileEvents(identity, event_limit));
  if (out.profile.event_count > out.events.size()) {
    out.events_truncated = true;
    out.events_note =
        fmt::format("the latest {} of {} events; ask again with a larger event_limit (at most {})",
                    out.events.size(), out.profile.event_count, kExportEventLimitMax);
  }
  m.journeys->ExportPerson(person, &out);
  ReadJourneyEvents(out);
  SP_ASSIGN_OR_RETURN(out.messages, m.delivery->ExportPerson(person));
  SP_RETURN_IF_ERROR(m.segments->ExportPerson(person, &out));
  SP_ASSIGN_OR_RETURN(out.dead_letters, m.events->DeadLettersOf(person));
  return out;
}

}  // namespace signpost
