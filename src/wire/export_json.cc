// The JSON of a person's export (Engine::ExportPerson) and of what an erasure's services forgot.
#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

// An ISO 8601 time, or null for 0 (never).
json ExportTime(TimeMs t) { return t == 0 ? json(nullptr) : json(FormatIso8601(t)); }

json ExportActiveJson(const PersonJourney::Active& a) {
  return {{"entry", a.entry},
          {"version", a.version},
          {"step", a.step},
          {"entered_at", FormatIso8601(a.entered_at)},
          {"step_since", FormatIso8601(a.step_since)},
          {"due", ExportTime(a.due)},
          {"holdout", a.holdout},
          {"entry_event", a.entry_event},
          {"entry_properties", JsonTextValue(a.entry_properties)},
          {"variant", a.variant},
          {"last_message_key", a.last_message_key},
          {"last_opened", a.last_opened},
          {"last_clicked", a.last_clicked}};
}

json ExportJourneyJson(const PersonJourney& j) {
  json exits = json::array();
  for (const auto& e : j.exits) {
    exits.push_back(
        {{"entry", e.entry}, {"reason", e.reason}, {"step", e.step}, {"at", FormatIso8601(e.at)}});
  }
  return {{"journey", j.journey.value()},
          {"entries", j.entries},
          {"last_entered", ExportTime(j.last_entered)},
          {"last_exited", ExportTime(j.last_exited)},
          {"active", j.active ? ExportActiveJson(*j.active) : json(nullptr)},
          {"exits", std::move(exits)}};
}

}  // namespace

json ToJson(const PersonExport& p) {
  json profile = ToJson(p.profile);
  profile.erase("last_events");  // every event is in `events`
  json events = json::array();
  for (const Event& e : p.events) events.push_back(ToJson(e));
  json journeys = json::array();
  for (const auto& j : p.journeys) journeys.push_back(ExportJourneyJson(j));
  json sends = json::array();
  for (TimeMs t : p.recent_sends) sends.push_back(FormatIso8601(t));
  json experiments = json::array();
  for (const auto& a : p.experiments) {
    experiments.push_back({{"journey", a.journey.value()},
                           {"entry", a.entry},
                           {"step", a.step},
                           {"variant", a.variant},
                           {"at", FormatIso8601(a.at)}});
  }
  json messages = json::array();
  for (const auto& m : p.messages) messages.push_back(ToJson(m));
  json lists = json::array();
  for (const auto& l : p.static_lists) {
    lists.push_back({{"name", l.name.value()},
                     {"versions", l.versions},
                     {"latest", l.latest},
                     {"identities", l.identities}});
  }
  json names = json::array();
  for (const auto& s : p.segments) names.push_back(s.value());
  json letters = json::array();
  for (const auto& d : p.dead_letters) letters.push_back(ToJson(d));
  json out = {
      {"requested", p.requested},
      {"exported_at", FormatIso8601(p.exported_at)},
      {"profile", std::move(profile)},
      {"events", std::move(events)},
      {"event_count", p.profile.event_count},
      {"event_limit", p.event_limit},
      {"events_truncated", p.events_truncated},
      {"journeys", std::move(journeys)},
      {"recent_sends", std::move(sends)},
      {"experiments", std::move(experiments)},
      {"messages", std::move(messages)},
      {"static_lists", std::move(lists)},
      {"segments",
       {{"evaluated_at", ExportTime(p.segments_evaluated_at)}, {"names", std::move(names)}}},
      {"dead_letters", std::move(letters)}};
  if (p.events_truncated) out["events_note"] = p.events_note;
  return out;
}

json ToJson(const PersonForgotten& f) {
  return {{"journey_exits", f.journey_exits},      {"journey_states", f.journey_states},
          {"queued_inputs", f.queued_inputs},      {"outbox_cancelled", f.outbox_cancelled},
          {"outbox_deleted", f.outbox_deleted},    {"static_lists", f.static_lists},
          {"static_versions", f.static_versions},  {"dead_letters", f.dead_letters},
          {"bandits_reloaded", f.bandits_reloaded}};
}

}  // namespace signpost::wire
