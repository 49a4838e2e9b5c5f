// The catalog's documents: applied and stored definitions, profiles and their events, keys and
// dead letters (wire.h).
#include <algorithm>

#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

// A JSON object the user sent, as text; {} when it does not parse (the store keeps what parsed).
json ObjectOrEmpty(const std::string& text) {
  json v = json::parse(text, nullptr, false);
  return v.is_discarded() ? json::object() : v;
}

json Optional(const std::optional<bool>& v) { return v ? json(*v) : json(nullptr); }

json RefusedJson(const ProfileRefusedMerge& r) {
  return {{"identity", r.identity},          {"other", r.other},          {"user", r.user},
          {"other_user", r.other_user},      {"messageId", r.message_id}, {"type", r.event_type},
          {"timestamp", FormatIso8601(r.at)}};
}

json EventsJson(const std::vector<Event>& events) {
  json out = json::array();
  for (const Event& e : events) out.push_back(ToJson(e));
  return out;
}

}  // namespace

std::string_view ApplyActionName(ApplyAction action) {
  switch (action) {
    case ApplyAction::kCreated:
      return "created";
    case ApplyAction::kConfigured:
      return "configured";
    case ApplyAction::kUnchanged:
      return "unchanged";
  }
  return "unknown";
}

json ToJson(const AppliedDefinition& applied) {
  json out = {{"kind", DefinitionKindName(applied.kind)},
              {"id", applied.id},
              {"version", applied.version},
              {"note", applied.note},
              {"action", ApplyActionName(applied.action)}};
  if (applied.name) out["name"] = *applied.name;
  if (applied.state) out["state"] = *applied.state;
  return out;
}

json ToJson(const AppliedDefinitions& applied) {
  json out;
  if (applied.applied.size() == 1) {
    out = ToJson(applied.applied.front());
  } else {
    json list = json::array();
    for (const AppliedDefinition& a : applied.applied) list.push_back(ToJson(a));
    out = {{"applied", std::move(list)}};
  }
  if (applied.dry_run) out["dry_run"] = true;
  return out;
}

json ToJson(const DefinitionText& d) {
  return {{"kind", DefinitionKindName(d.kind)},
          {"id", d.id},
          {"version", d.version},
          {"note", d.note},
          {"at", FormatIso8601(d.at)},
          {"body", d.body}};
}

json ToJson(const DeletedDefinition& d) {
  json out = {{"kind", DefinitionKindName(d.kind)},
              {"id", d.id},
              {"versions", d.versions},
              {"deleted", !d.dry_run}};
  if (d.dry_run) out["dry_run"] = true;
  return out;
}

json ToJson(const StoredDefinition& d) {
  json out = {{"kind", DefinitionKindName(d.kind)},
              {"id", d.id},
              {"version", d.version},
              {"note", d.note},
              {"at", FormatIso8601(d.at)}};
  if (d.funnel) {
    out["name"] = d.funnel->name;
    out["steps"] = d.funnel->steps;
  }
  return out;
}

json ToJson(const DefinitionList& list) {
  json out = json::array();
  for (const StoredDefinition& d : list.definitions) out.push_back(ToJson(d));
  return {{"definitions", std::move(out)}};
}

json ToJson(const Event& e) {
  json j = {{"type", EventTypeName(e.type)},
            {"messageId", e.message_id},
            {"timestamp", FormatIso8601(e.timestamp)},
            {"receivedAt", FormatIso8601(e.received_at)},
            {"seq", e.seq}};
  auto put = [&j](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("userId", e.user_id);
  put("anonymousId", e.anonymous_id);
  put(e.type == EventType::kTrack ? "event" : "name", e.event);
  put("previousId", e.previous_id);
  put("groupId", e.group_id);
  if (e.sent_at) j["sentAt"] = FormatIso8601(*e.sent_at);
  if (e.original_timestamp) j["originalTimestamp"] = FormatIso8601(*e.original_timestamp);
  if (e.properties != "{}") j["properties"] = ObjectOrEmpty(e.properties);
  if (e.traits != "{}") j["traits"] = ObjectOrEmpty(e.traits);
  if (e.context != "{}") j["context"] = ObjectOrEmpty(e.context);
  return j;
}

json ToJson(const ProfileReport& p) {
  json traits = json::object();
  for (const auto& [name, value] : p.traits) traits[name] = JsonTextValue(value);
  json history = json::array();
  for (const ProfileTraitChange& c : p.trait_history) {
    history.push_back({{"trait", c.trait},
                       {"value", JsonTextValue(c.value_json)},
                       {"timestamp", FormatIso8601(c.timestamp)},
                       {"seq", c.seq}});
  }
  json refused = json::array();
  for (const ProfileRefusedMerge& r : p.refused_merges) refused.push_back(RefusedJson(r));
  json out = {{"id", p.id.value()},
              {"identities", p.identities},
              {"traits", std::move(traits)},
              {"trait_history", std::move(history)},
              {"consent",
               {{"email", Optional(p.consent.email)},
                {"sms", Optional(p.consent.sms)},
                {"push", Optional(p.consent.push)}}},
              {"event_count", p.event_count},
              {"refused_merges", std::move(refused)},
              {"last_events", EventsJson(p.last_events)}};
  if (p.first_seen) out["first_seen"] = FormatIso8601(*p.first_seen);
  if (p.last_seen) out["last_seen"] = FormatIso8601(*p.last_seen);
  return out;
}

json ToJson(const ProfileEventList& list) {
  return {{"profile", list.profile.value()},
          {"identity", list.identity},
          {"events", EventsJson(list.events)}};
}

json ToJson(const ApiKeyInfo& key) {
  return {{"token", key.token},
          {"kind", key.kind},
          {"name", key.name},
          {"created_at", key.created_at},
          {"revoked", key.revoked}};
}

json KeyListJson(const std::vector<ApiKeyInfo>& keys) {
  json out = json::array();
  for (const ApiKeyInfo& k : keys) {
    json view = ToJson(k);
    view.erase("token");
    view["prefix"] = k.token.substr(0, std::min<size_t>(k.token.size(), 12));
    out.push_back(std::move(view));
  }
  return {{"keys", std::move(out)}};
}

json ToJson(const DeadLetterInfo& d) {
  return {{"id", d.id},
          {"source", d.source},
          {"at", d.at},
          {"location", d.rejection.location},
          {"field", d.rejection.field},
          {"reason", d.rejection.reason},
          {"raw", d.rejection.raw}};
}

json ToJson(const DeadLetterList& list) {
  json out = json::array();
  for (const DeadLetterInfo& d : list.dead_letters) out.push_back(ToJson(d));
  return {{"dead_letters", std::move(out)}, {"total", list.total}};
}

}  // namespace signpost::wire
