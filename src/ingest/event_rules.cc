#include "ingest/event_rules.h"

#include "base/time.h"
#include "ingest/message_id.h"

namespace signpost::ingest {
namespace {
// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
constexpr TimeMs kMinTime = -62135596800000LL;
constexpr TimeMs kMaxTime = 253402300799999LL;
}  // namespace

std::string_view ValidTypeNames() { return "track, identify, alias, page, screen, group"; }

std::optional<ItemError> CompleteEvent(const ItemTimes& times, TimeMs received_at,
                                       std::string_view raw, Event& event) {
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
        return ItemError{"userId", "an alias call needs `userId`, the new id to link previousId to"};
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
    return ItemError{"sentAt",
                     "the clock-skew corrected time (receivedAt - (sentAt - originalTimestamp)) "
                     "falls outside years 0001-9999: send sentAt and timestamp from the same clock"};
  }
  event.timestamp = timestamp;
  event.received_at = received;
  event.sent_at = times.sent_at;
  event.original_timestamp = original;
  if (event.message_id.empty()) event.message_id = GenerateMessageId(raw);
  return std::nullopt;
}

}  // namespace signpost::ingest
