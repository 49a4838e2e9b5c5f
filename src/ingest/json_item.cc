#include "ingest/json_item.h"

#include <fmt/format.h>

#include <array>
#include <string>

#include "base/time.h"
#include "ingest/dom_writer.h"
#include "ingest/json_text.h"

namespace signpost::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

enum Field : size_t {
  kType,
  kMessageId,
  kUserId,
  kAnonymousId,
  kEvent,
  kName,
  kPreviousId,
  kGroupId,
  kTimestamp,
  kSentAt,
  kOriginalTimestamp,
  kReceivedAt,
  kProperties,
  kTraits,
  kContext,
  kIntegrations,
  kFieldCount
};

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {"type",
                                                                   "messageId",
                                                                   "userId",
                                                                   "anonymousId",
                                                                   "event",
                                                                   "name",
                                                                   "previousId",
                                                                   "groupId",
                                                                   "timestamp",
                                                                   "sentAt",
                                                                   "originalTimestamp",
                                                                   "receivedAt",
                                                                   "properties",
                                                                   "traits",
                                                                   "context",
                                                                   "integrations"};

size_t FieldOf(std::string_view key) {
  if (key.empty()) return kFieldCount;
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (kFieldNames[i][0] == key[0] && kFieldNames[i] == key) return i;
  }
  return kFieldCount;
}

// The item's known fields; a null value counts as absent.
struct Fields {
  std::array<element, kFieldCount> value;
  std::array<bool, kFieldCount> present{};
  bool has(Field f) const { return present[f]; }
};

std::optional<ItemError> ReadId(const Fields& fields, Field f, std::string& out) {
  if (!fields.has(f)) return std::nullopt;
  const element& v = fields.value[f];
  switch (v.type()) {
    case element_type::STRING:
      out = std::string(v.get_string().value_unsafe());
      break;
    case element_type::INT64:
      out = std::to_string(v.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      out = std::to_string(v.get_uint64().value_unsafe());
      break;
    case element_type::DOUBLE:
      out = fmt::format("{}", v.get_double().value_unsafe());
      break;
    default:
      return ItemError{std::string(kFieldNames[f]),
                       fmt::format("`{}` must be a string (or a number), got {}", kFieldNames[f],
                                   JsonTypeName(v))};
  }
  return std::nullopt;
}

std::optional<ItemError> ReadName(const Fields& fields, Field f, std::string& out) {
  if (!fields.has(f)) return std::nullopt;
  std::string_view s;
  if (fields.value[f].get_string().get(s)) {
    return ItemError{std::string(kFieldNames[f]),
                     fmt::format("`{}` must be a string, got {}", kFieldNames[f],
                                 JsonTypeName(fields.value[f]))};
  }
  out = std::string(s);
  return std::nullopt;
}

std::optional<ItemError> ReadTime(const Fields& fields, Field f, std::optional<TimeMs>& out) {
  if (!fields.has(f)) return std::nullopt;
  std::string_view s;
  if (fields.value[f].get_string().get(s)) {
    return ItemError{std::string(kFieldNames[f]),
                     fmt::format("`{}` must be an ISO 8601 string such as "
                                 "\"2026-11-24T05:00:00.000Z\", got {}",
                                 kFieldNames[f], JsonTypeName(fields.value[f]))};
  }
  Result<TimeMs> t = ParseIso8601(s);
  if (!t.ok()) {
    return ItemError{std::string(kFieldNames[f]),
                     fmt::format("`{}`: {}", kFieldNames[f], t.status().message())};
  }
  out = *t;
  return std::nullopt;
}

// `shared` (a batch's top-level object) with `own`'s keys on top, as minified JSON.
std::string MergeObjects(const object& shared, const object* own) {
  std::string out = "{";
  bool first = true;
  for (auto [key, value] : shared) {
    if (own != nullptr && own->at_key(key).error() == simdjson::SUCCESS) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(key, out);
    out += ':';
    AppendMinifiedJson(value, out);
  }
  if (own != nullptr) {
    for (auto [key, value] : *own) {
      if (!first) out += ',';
      first = false;
      AppendJsonString(key, out);
      out += ':';
      AppendMinifiedJson(value, out);
    }
  }
  out += '}';
  return out;
}

std::optional<ItemError> ReadObject(const Fields& fields, Field f, const object* shared,
                                    std::string& out) {
  object own;
  const bool has_own = fields.has(f);
  if (has_own && fields.value[f].get_object().get(own)) {
    return ItemError{std::string(kFieldNames[f]),
                     fmt::format("`{}` must be a JSON object such as {{\"plan\":\"pro\"}}, got {}",
                                 kFieldNames[f], JsonTypeName(fields.value[f]))};
  }
  if (shared != nullptr) {
    out = MergeObjects(*shared, has_own ? &own : nullptr);
  } else if (has_own) {
    out = MinifiedJson(fields.value[f]);
  }
  return std::nullopt;
}

}  // namespace

std::string_view JsonTypeName(element value) {
  switch (value.type()) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

#define SP_ITEM_CHECK(expr)                        \
  do {                                             \
    if (auto sp_error_ = (expr)) return sp_error_; \
  } while (0)

std::optional<ItemError> ParseJsonItem(element item, std::string_view raw,
                                       const JsonItemDefaults& defaults, Event& out) {
  object obj;
  if (item.get_object().get(obj)) {
    return ItemError{
        "", fmt::format("each event must be a JSON object such as "
                        "{{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Signed Up\"}}, got {}",
                        JsonTypeName(item))};
  }
  Fields fields;
  for (auto [key, value] : obj) {
    const size_t f = FieldOf(key);
    if (f == kFieldCount) continue;  // unknown fields are ignored, as Segment does
    fields.present[f] = !value.is_null();
    fields.value[f] = value;
  }

  out = Event{};  // cheap: the strings are empty or "{}" (no allocation)
  if (defaults.type) {
    out.type = *defaults.type;
  } else {
    std::string_view type_name;
    if (!fields.has(kType)) {
      return ItemError{"type",
                       fmt::format("`type` is missing: set it to one of {}", ValidTypeNames())};
    }
    if (fields.value[kType].get_string().get(type_name)) {
      return ItemError{"type", fmt::format("`type` must be a string, one of {}; got {}",
                                           ValidTypeNames(), JsonTypeName(fields.value[kType]))};
    }
    std::optional<EventType> type = EventTypeFromName(type_name);
    if (!type) {
      return ItemError{"type", fmt::format("`type` \"{}\" is unknown: use one of {}",
                                           type_name.substr(0, 64), ValidTypeNames())};
    }
    out.type = *type;
  }

  SP_ITEM_CHECK(ReadId(fields, kMessageId, out.message_id));
  SP_ITEM_CHECK(ReadId(fields, kUserId, out.user_id));
  SP_ITEM_CHECK(ReadId(fields, kAnonymousId, out.anonymous_id));
  switch (out.type) {
    case EventType::kTrack:
      SP_ITEM_CHECK(ReadName(fields, kEvent, out.event));
      break;
    case EventType::kPage:
    case EventType::kScreen:
      SP_ITEM_CHECK(ReadName(fields, kName, out.event));
      break;
    case EventType::kAlias:
      SP_ITEM_CHECK(ReadId(fields, kPreviousId, out.previous_id));
      break;
    case EventType::kGroup:
      SP_ITEM_CHECK(ReadId(fields, kGroupId, out.group_id));
      break;
    case EventType::kIdentify:
      break;
  }

  ItemTimes times;
  SP_ITEM_CHECK(ReadTime(fields, kTimestamp, times.timestamp));
  SP_ITEM_CHECK(ReadTime(fields, kOriginalTimestamp, times.original_timestamp));
  SP_ITEM_CHECK(ReadTime(fields, kSentAt, times.sent_at));
  if (!times.sent_at) times.sent_at = defaults.sent_at;
  if (defaults.accept_received_at) SP_ITEM_CHECK(ReadTime(fields, kReceivedAt, times.received_at));

  SP_ITEM_CHECK(ReadObject(fields, kProperties, nullptr, out.properties));
  SP_ITEM_CHECK(ReadObject(fields, kTraits, nullptr, out.traits));
  SP_ITEM_CHECK(ReadObject(fields, kContext, defaults.context, out.context));
  SP_ITEM_CHECK(ReadObject(fields, kIntegrations, defaults.integrations, out.integrations));

  return CompleteEvent(times, defaults.received_at, defaults.limits, raw, out);
}

#undef SP_ITEM_CHECK

}  // namespace signpost::ingest
