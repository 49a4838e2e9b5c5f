// The Segment-spec rules every parser applies once an item's fields are read: required fields per
// type, the event time (clock-skew correction), the generated messageId. Shared by the JSON
// parsers (HTTP, NDJSON) and the CSV parser so the three agree exactly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ingest/parsed_events.h"
#include "signpost/event.h"

namespace signpost::ingest {

// Why one item was refused: the field (a path, "" for the whole item) and one sentence saying
// what was wrong and how to fix it.
struct ItemError {
  std::string field;
  std::string reason;
};

// The times an item carried (already parsed), before the rules pick the event time.
struct ItemTimes {
  std::optional<TimeMs> timestamp;
  std::optional<TimeMs> original_timestamp;
  std::optional<TimeMs> sent_at;      // the item's own, else the batch's top-level sentAt
  std::optional<TimeMs> received_at;  // imports only: a previously received event keeps its time
};

// Completes `event` (ids, names and JSON objects already filled by the caller):
//  - requires userId or anonymousId; `event` for track; previousId and userId for alias;
//    groupId for group;
//  - original = originalTimestamp, else timestamp; received = times.received_at, else
//    `received_at`; timestamp = received - (sentAt - original) when both sentAt and original are
//    known, else original, else received; the result must fall in years 0001-9999, not before
//    limits.min_event_time and at most limits.max_future_skew_ms after `received_at` (the time
//    signpost received it; an import's own receivedAt is held to the same bound);
//  - refuses what only the engine may record: a reserved system event name
//    (base/system_events.h) in `event` and a messageId with the system prefix "sp:";
//  - sets messageId to GenerateMessageId(raw) when it is empty.
// Returns nullopt on success, else the first rule broken. Thread-safe (no shared state).
std::optional<ItemError> CompleteEvent(const ItemTimes& times, TimeMs received_at,
                                       const Limits& limits, std::string_view raw, Event& event);

// "track, identify, alias, page, screen, group": the valid `type` values, for messages.
std::string_view ValidTypeNames();

}  // namespace signpost::ingest
