#include "tests/support/scenario_events.h"

#include "base/time.h"
#include "tests/support/scenario.h"

namespace signpost::scenario {

using nlohmann::json;

std::string ScenarioEvent::Identity() const {
  return user.empty() ? AnonymousIdentity(anon) : UserIdentity(user);
}

Event ScenarioEvent::ToEvent() const {
  Event e;
  e.type = type;
  e.user_id = user;
  e.anonymous_id = anon;
  e.event = event;
  e.timestamp = e.received_at = at;
  e.message_id = id;
  if (!properties.is_null()) e.properties = properties.dump();
  if (!traits.is_null()) e.traits = traits.dump();
  if (!context.is_null()) e.context = context.dump();
  return e;
}

json ScenarioEvent::ToSegmentJson() const {
  json body = {{"type", std::string(EventTypeName(type))}, {"timestamp", FormatIso8601(at)}};
  if (!user.empty()) body["userId"] = user;
  if (!anon.empty()) body["anonymousId"] = anon;
  if (type == EventType::kTrack) body["event"] = event;
  if (!properties.is_null()) body["properties"] = properties;
  if (traits.is_object() && !traits.empty()) body["traits"] = traits;
  if (!context.is_null()) body["context"] = context;
  if (!id.empty()) body["messageId"] = id;
  return body;
}

bool IsEvent(const YAML::Node& item) { return item.IsMap() && (item["track"] || item["identify"]); }

namespace {

constexpr const char* kFields = "at, user, anon, track or identify, properties, context, id";

Status Bad(std::string_view file, const YAML::Node& node, std::string_view field,
           std::string_view why) {
  std::string out = Where(file, node) + ": event";
  if (!field.empty()) out += " field '" + std::string(field) + "'";
  return Status::InvalidArgument(out + ": " + std::string(why));
}

// A map field (properties, context, identify's traits) as JSON.
Result<json> MapField(std::string_view file, const YAML::Node& item, const char* field) {
  const YAML::Node n = item[field];
  if (!n.IsMap()) {
    return Bad(file, n, field, "must be a map ({ key: value, ... }; {} for none)");
  }
  return ToJson(n);
}

// A scalar field (at, user, anon, track, id) as text.
Result<std::string> TextField(std::string_view file, const YAML::Node& item, const char* field) {
  const YAML::Node n = item[field];
  if (!n.IsScalar() || n.Scalar().empty()) return Bad(file, n, field, "must be a non-empty text");
  return n.Scalar();
}

}  // namespace

Result<ScenarioEvent> ParseEvent(const YAML::Node& item, TimeMs base, std::string_view file) {
  if (!item.IsMap()) {
    return Bad(file, item, "", std::string("must be a map of ") + kFields);
  }
  ScenarioEvent e;
  e.line = item.Mark().line >= 0 ? item.Mark().line + 1 : 0;
  for (const auto& kv : item) {
    const std::string& key = kv.first.Scalar();
    if (key != "at" && key != "user" && key != "anon" && key != "track" && key != "identify" &&
        key != "properties" && key != "context" && key != "id") {
      return Bad(file, kv.first, key, std::string("unknown (an event has ") + kFields + ")");
    }
  }
  if (!item["at"]) return Bad(file, item, "at", "missing (when the event happens)");
  SP_ASSIGN_OR_RETURN(std::string at, TextField(file, item, "at"));
  auto t = ParseTime(at, base);
  if (!t.ok()) return Bad(file, item["at"], "at", t.status().message());
  e.at = *t;
  if (!item["user"] && !item["anon"]) {
    return Bad(file, item, "user", "missing: an event needs a user or an anon (or both)");
  }
  if (item["user"]) {
    SP_ASSIGN_OR_RETURN(e.user, TextField(file, item, "user"));
  }
  if (item["anon"]) {
    SP_ASSIGN_OR_RETURN(e.anon, TextField(file, item, "anon"));
  }
  if (item["track"] && item["identify"]) {
    return Bad(file, item, "identify", "an event is a track or an identify, not both");
  }
  if (item["track"]) {
    SP_ASSIGN_OR_RETURN(e.event, TextField(file, item, "track"));
  } else if (item["identify"]) {
    e.type = EventType::kIdentify;
    SP_ASSIGN_OR_RETURN(e.traits, MapField(file, item, "identify"));
  } else {
    return Bad(file, item, "track",
               "missing: write `track: <event name>` or `identify: { <traits> }`");
  }
  if (item["properties"]) {
    SP_ASSIGN_OR_RETURN(e.properties, MapField(file, item, "properties"));
  }
  if (item["context"]) {
    SP_ASSIGN_OR_RETURN(e.context, MapField(file, item, "context"));
  }
  if (item["id"]) {
    SP_ASSIGN_OR_RETURN(e.id, TextField(file, item, "id"));
  }
  return e;
}

Result<std::vector<ScenarioEvent>> ParseEvents(const YAML::Node& list, TimeMs base,
                                               std::string_view file) {
  std::vector<ScenarioEvent> out;
  if (!list || list.IsNull()) return out;
  if (!list.IsSequence()) {
    return Status::InvalidArgument(Where(file, list) + ": events must be a list of events");
  }
  for (const auto& item : list) {
    SP_ASSIGN_OR_RETURN(ScenarioEvent e, ParseEvent(item, base, file));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace signpost::scenario
