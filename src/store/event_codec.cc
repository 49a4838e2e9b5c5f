#include "store/event_codec.h"

#include <cstdint>

#include "store/coding.h"

namespace signpost::store {
namespace {

constexpr char kCodecVersion = 1;
constexpr uint8_t kHasSentAt = 1;
constexpr uint8_t kHasOriginalTimestamp = 2;
constexpr EventType kLastType = EventType::kGroup;

void PutJson(std::string& out, const std::string& json) {
  PutLengthPrefixed(out, json == "{}" ? std::string_view() : std::string_view(json));
}

bool GetTime(std::string_view& in, TimeMs& t) { return GetSignedVarint64(in, t); }

bool GetString(std::string_view& in, std::string& s) {
  std::string_view view;
  if (!GetLengthPrefixed(in, view)) return false;
  s.assign(view);
  return true;
}

bool GetJson(std::string_view& in, std::string& s) {
  std::string_view view;
  if (!GetLengthPrefixed(in, view)) return false;
  if (view.empty()) {
    s = "{}";
  } else {
    s.assign(view);
  }
  return true;
}

}  // namespace

void EncodeEvent(const Event& event, std::string& out) {
  out.push_back(kCodecVersion);
  out.push_back(static_cast<char>(event.type));
  uint8_t flags = 0;
  if (event.sent_at) flags |= kHasSentAt;
  if (event.original_timestamp) flags |= kHasOriginalTimestamp;
  out.push_back(static_cast<char>(flags));
  PutSignedVarint64(out, event.timestamp);
  PutSignedVarint64(out, event.received_at);
  if (event.sent_at) PutSignedVarint64(out, *event.sent_at);
  if (event.original_timestamp) PutSignedVarint64(out, *event.original_timestamp);
  PutLengthPrefixed(out, event.message_id);
  PutLengthPrefixed(out, event.user_id);
  PutLengthPrefixed(out, event.anonymous_id);
  PutLengthPrefixed(out, event.event);
  PutLengthPrefixed(out, event.previous_id);
  PutLengthPrefixed(out, event.group_id);
  PutJson(out, event.properties);
  PutJson(out, event.traits);
  PutJson(out, event.context);
  PutJson(out, event.integrations);
}

bool DecodeEvent(std::string_view in, Event& event) {
  if (in.size() < 3 || in[0] != kCodecVersion) return false;
  const auto type = static_cast<uint8_t>(in[1]);
  if (type > static_cast<uint8_t>(kLastType)) return false;
  event.type = static_cast<EventType>(type);
  const auto flags = static_cast<uint8_t>(in[2]);
  in.remove_prefix(3);
  if (!GetTime(in, event.timestamp) || !GetTime(in, event.received_at)) return false;
  event.sent_at.reset();
  event.original_timestamp.reset();
  if (flags & kHasSentAt) {
    TimeMs t = 0;
    if (!GetTime(in, t)) return false;
    event.sent_at = t;
  }
  if (flags & kHasOriginalTimestamp) {
    TimeMs t = 0;
    if (!GetTime(in, t)) return false;
    event.original_timestamp = t;
  }
  return GetString(in, event.message_id) && GetString(in, event.user_id) &&
         GetString(in, event.anonymous_id) && GetString(in, event.event) &&
         GetString(in, event.previous_id) && GetString(in, event.group_id) &&
         GetJson(in, event.properties) && GetJson(in, event.traits) && GetJson(in, event.context) &&
         GetJson(in, event.integrations) && in.empty();
}

bool DecodeMessageId(std::string_view in, std::string_view& message_id) {
  if (in.size() < 3 || in[0] != kCodecVersion) return false;
  const auto flags = static_cast<uint8_t>(in[2]);
  in.remove_prefix(3);
  const int times = 2 + ((flags & kHasSentAt) ? 1 : 0) + ((flags & kHasOriginalTimestamp) ? 1 : 0);
  for (int i = 0; i < times; ++i) {
    uint64_t ignored = 0;
    if (!GetVarint64(in, ignored)) return false;
  }
  return GetLengthPrefixed(in, message_id);
}

}  // namespace signpost::store
