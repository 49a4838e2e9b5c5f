// Engine: profiles and their events.
#include "base/time.h"
#include "engine/engine_impl.h"
#include "engine/event_json.h"

namespace signpost {

using nlohmann::json;

namespace {

json TraitValue(const std::string& value_json) {
  json v = json::parse(value_json, nullptr, false);
  return v.is_discarded() ? json(value_json) : v;
}

json ConsentValue(const std::optional<bool>& v) { return v ? json(*v) : json(nullptr); }

json RefusedJson(const identity::RefusedMerge& r) {
  return {{"identity", r.identity},          {"other", r.other},          {"user", r.user},
          {"other_user", r.other_user},      {"messageId", r.message_id}, {"type", r.event_type},
          {"timestamp", FormatIso8601(r.at)}};
}

}  // namespace

Result<json> Engine::Profile(std::string_view id) const {
  SP_ASSIGN_OR_RETURN(identity::ProfileView p, impl_->profiles->GetProfile(id));
  json traits = json::object();
  for (const auto& [name, value] : p.traits) traits[name] = TraitValue(value);
  json history = json::array();
  for (const auto& c : p.trait_history) {
    history.push_back({{"trait", c.name},
                       {"value", TraitValue(c.value)},
                       {"timestamp", FormatIso8601(c.timestamp)},
                       {"seq", c.seq}});
  }
  json refused = json::array();
  for (const auto& r : p.refused_merges) refused.push_back(RefusedJson(r));
  json out = {{"id", p.id.value()},
              {"identities", p.identities},
              {"traits", traits},
              {"trait_history", history},
              {"consent",
               {{"email", ConsentValue(p.consent.email)},
                {"sms", ConsentValue(p.consent.sms)},
                {"push", ConsentValue(p.consent.push)}}},
              {"event_count", p.event_count},
              {"refused_merges", refused}};
  if (p.event_count > 0) {
    out["first_seen"] = FormatIso8601(p.first_seen);
    out["last_seen"] = FormatIso8601(p.last_seen);
  }
  SP_ASSIGN_OR_RETURN(auto last, impl_->profiles->ProfileEvents(id, 10));
  json events = json::array();
  for (const auto& e : last) events.push_back(engine::EventJson(e));
  out["last_events"] = events;
  return out;
}

Result<json> Engine::ProfileEvents(std::string_view id, size_t limit) const {
  SP_ASSIGN_OR_RETURN(std::string identity, impl_->profiles->Resolve(id));
  SP_ASSIGN_OR_RETURN(auto events, impl_->profiles->ProfileEvents(identity, limit));
  json list = json::array();
  for (const auto& e : events) list.push_back(engine::EventJson(e));
  return json{{"profile", impl_->profiles->ProfileOf(identity).value()},
              {"identity", identity},
              {"events", list}};
}

}  // namespace signpost
