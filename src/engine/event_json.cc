#include "engine/event_json.h"

#include "base/time.h"

namespace signpost::engine {

using nlohmann::json;

namespace {
json ObjectOrEmpty(const std::string& text) {
  json v = json::parse(text, nullptr, false);
  return v.is_discarded() ? json::object() : v;
}
}  // namespace

json EventJson(const Event& e) {
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

}  // namespace signpost::engine
