#include "ingest/event_rules.h"

#include <fmt/format.h>

#include "base/system_events.h"
#include "base/time.h"
#include "ingest/message_id.h"

namespace signpost::ingest {
namespace {
// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
constexpr TimeMs kMinTime = -62135596800000LL;
constexpr TimeMs kMaxTime = 253402300799999LL;

// The field an event time came from, for messages.
std::string_view TimeField(const ItemTimes& times) {
  if (times.original_timestamp) return "originalTimestamp";
  if (times.timestamp) return "timestamp";
  return "receivedAt";
}

std::string DescribeSkew(DurationMs ms) {
  if (ms % kDayMs == 0) return fmt::format("{} day{}", ms / kDayMs, ms == kDayMs ? "" : "s");
  if (ms % kHourMs == 0) return fmt::format("{} h", ms / kHourMs);
  if (ms % kMinuteMs == 0) return fmt::format("{} min", ms / kMinuteMs);
  return fmt::format("{} ms", ms);
}

std::optional<ItemError> CheckReserved(const Event& event) {
  if (!event.event.empty() && system_events::IsReserved(event.event)) {
    const bool named = event.type == EventType::kPage || event.type == EventType::kScreen;
    return ItemError{
        named ? "name" : "event",
        fmt::format("\"{}\" is a reserved name: signpost records it itself about "
                    "journeys, messages and goals; rename your event (e.g. \"App {}\")",
                    event.event, event.event)};
  }
  if (event.message_id.rfind(system_events::kSystemMessageIdPrefix, 0) == 0) {
    return ItemError{"messageId",
                     fmt::format("a messageId starting with \"{}\" is reserved for the events "
                                 "signpost records itself: use another id (or none: one is made)",
                                 system_events::kSystemMessageIdPrefix)};
  }
  return std::nullopt;
}

// The event time against the floor and the future skew.
std::optional<ItemError> CheckTimeBounds(const ItemTimes& times, TimeMs timestamp,
                                         TimeMs received_at, const Limits& limits) {
  const bool corrected = times.sent_at && (times.original_timestamp || times.timestamp);
  // The field to fix: where the time came from (sentAt when the skew correction moved it).
  const std::string field(corrected ? "sentAt" : TimeField(times));
  if (timestamp < limits.min_event_time) {
    return ItemError{field,
                     fmt::format("the event time {} is before {}, the earliest accepted: "
                                 "send the time the event happened, from a set clock",
                                 FormatIso8601(timestamp), FormatIso8601(limits.min_event_time))};
  }
  // Differences, not sums: a huge configured skew must not overflow.
  if (timestamp > received_at && timestamp - received_at > limits.max_future_skew_ms) {
    return ItemError{field,
                     fmt::format("the event time {} is more than {} (max_future_skew) ahead "
                                 "of when it was received ({}): send the time the event "
                                 "happened, from a set clock",
                                 FormatIso8601(timestamp), DescribeSkew(limits.max_future_skew_ms),
                                 FormatIso8601(received_at))};
  }
  if (times.received_at && *times.received_at > received_at &&
      *times.received_at - received_at > limits.max_future_skew_ms) {
    return ItemError{
        "receivedAt",
        fmt::format("`receivedAt` {} is more than {} (max_future_skew) ahead of the "
                    "import time ({}): keep the receivedAt of the export",
                    FormatIso8601(*times.received_at), DescribeSkew(limits.max_future_skew_ms),
                    FormatIso8601(received_at))};
  }
  return std::nullopt;
}
}  // namespace

std::string_view ValidTypeNames() { return "track, identify, alias, page, screen, group"; }

std::optional<ItemError> CompleteEvent(const ItemTimes& times, TimeMs received_at,
                                       const Limits& limits, std::string_view raw, Event& event) {
  if (event.user_id.empty() && event.anonymous_id.empty()) {
    return ItemError{"userId",
                     "the event names no person: set userId or anonymousId to a non-empty string"};
  }
  switch (event.type) {
    case EventType::kTrack:
      if (event.event.empty()) {
        return ItemError{"event",
                         "a track call needs `event`, the non-empty name of what happened "
                         "(e.g. \"Order Completed\")"};
      }
      break;
    case EventType::kAlias:
      if (event.previous_id.empty()) {
        return ItemError{"previousId",
                         "an alias call needs `previousId`, the old id to link to userId"};
      }
      if (event.user_id.empty()) {
        return ItemError{"userId",
                         "an alias call needs `userId`, the new id to link previousId to"};
      }
      break;
    case EventType::kGroup:
      if (event.group_id.empty()) {
        return ItemError{"groupId", "a group call needs `groupId`, the id of the account or team"};
      }
      break;
    case EventType::kIdentify:
    case EventType::kPage:
    case EventType::kScreen:
      break;
  }

  if (auto error = CheckReserved(event)) return error;

  const TimeMs received = times.received_at.value_or(received_at);
  const std::optional<TimeMs> original =
      times.original_timestamp ? times.original_timestamp : times.timestamp;
  TimeMs timestamp = received;
  if (original && times.sent_at) {
    timestamp = received - (*times.sent_at - *original);  // Segment's clock-skew correction
  } else if (original) {
    timestamp = *original;
  }
  if (timestamp < kMinTime || timestamp > kMaxTime) {
    return ItemError{
        "sentAt",
        "the clock-skew corrected time (receivedAt - (sentAt - originalTimestamp)) "
        "falls outside years 0001-9999: send sentAt and timestamp from the same clock"};
  }
  if (auto error = CheckTimeBounds(times, timestamp, received_at, limits)) return error;
  event.timestamp = timestamp;
  event.received_at = received;
  event.sent_at = times.sent_at;
  event.original_timestamp = original;
  if (event.message_id.empty()) event.message_id = GenerateMessageId(raw);
  return std::nullopt;
}

}  // namespace signpost::ingest
