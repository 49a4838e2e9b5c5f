// The event: one Segment-spec call (track, identify, alias, page, screen, group) after
// validation and normalization. Produced by src/ingest, stored by src/store, read by
// everything downstream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signpost/clock.h"
#include "signpost/ids.h"

namespace signpost {

enum class EventType : uint8_t { kTrack = 0, kIdentify, kAlias, kPage, kScreen, kGroup };

// "track", "identify", ... ; and back (nullopt for an unknown name).
std::string_view EventTypeName(EventType type);
std::optional<EventType> EventTypeFromName(std::string_view name);

// An identity is how the outside world names a person: a userId or an anonymousId.
// Its canonical text form is "user:<id>" or "anon:<id>" (see IdentityKey()).
std::string UserIdentity(std::string_view user_id);
std::string AnonymousIdentity(std::string_view anonymous_id);

struct Event {
  EventType type = EventType::kTrack;
  std::string message_id;  // dedup key; ingest generates one when the sender gave none
  std::string user_id;     // at least one of user_id / anonymous_id is non-empty
  std::string anonymous_id;
  std::string event;        // track: the event name; page/screen: the `name` field (may be empty)
  std::string previous_id;  // alias: the identity being linked to user_id
  std::string group_id;     // group
  TimeMs timestamp = 0;     // event time after clock-skew correction (what all rules use)
  TimeMs received_at = 0;   // when signpost received it
  std::optional<TimeMs> sent_at;
  std::optional<TimeMs> original_timestamp;
  // Nested objects as minified JSON text; "{}" when absent.
  std::string properties = "{}";
  std::string traits = "{}";
  std::string context = "{}";
  std::string integrations = "{}";
  // Assigned by the store when the event is accepted; 0 before.
  uint64_t seq = 0;

  // The identity that names this event's person: user_id when set, else anonymous_id.
  std::string PrimaryIdentity() const;
};

}  // namespace signpost
