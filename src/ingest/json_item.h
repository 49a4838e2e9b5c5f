// One Segment-spec JSON object (a single-call body, a batch item, an NDJSON line) -> Event.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string_view>

#include "ingest/event_rules.h"
#include "signpost/event.h"

namespace signpost::ingest {

// What surrounds an item: the endpoint's type, the batch's shared fields, the receive time.
struct JsonItemDefaults {
  std::optional<EventType> type;    // implied by the endpoint; nullopt: the item's `type` decides
  TimeMs received_at = 0;           // when signpost received the item
  bool accept_received_at = false;  // imports: an item's own `receivedAt` replaces received_at
  std::optional<TimeMs> sent_at;    // a batch's top-level sentAt, for items without their own
  Limits limits;                    // the time bounds (max_future_skew_ms, min_event_time)
  // A batch's top-level objects, shallow-merged under the item's own (the item's keys win).
  // Not owned; nullptr when absent.
  const simdjson::dom::object* context = nullptr;
  const simdjson::dom::object* integrations = nullptr;
};

// Reads `item` into `out` (overwritten) and applies CompleteEvent. `raw` is the item's text,
// hashed into a messageId when the item has none. Unknown fields are ignored; null counts as
// absent. Returns nullopt on success, else the field and reason of the first problem. Thread-safe
// for distinct `out`s; `item` is read only.
std::optional<ItemError> ParseJsonItem(simdjson::dom::element item, std::string_view raw,
                                       const JsonItemDefaults& defaults, Event& out);

// "an object", "an array", "a string", "a number", "a boolean" or "null", for messages.
std::string_view JsonTypeName(simdjson::dom::element value);

}  // namespace signpost::ingest
