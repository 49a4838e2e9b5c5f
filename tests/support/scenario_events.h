// The one event syntax of every scenario file (tests only; tests/scenarios/README.md documents it):
//   - { at: "10:00", user: u1, track: Order Completed, properties: { total: 30 } }
//   - { at: +1h, anon: phone, user: u1, identify: { plan: pro } }
// `at` in the one time syntax (scenario::ParseTime); `user` and/or `anon` (the userId and the
// anonymousId; both on an identify links the two identities); exactly one of `track: <event name>`
// or `identify: <traits>` ({} for none); optional `properties`, `context` (maps) and `id` (the
// messageId). Parsing is pure: thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/clock.h"
#include "signpost/event.h"
#include "signpost/status.h"

namespace signpost::scenario {

// One event as a scenario file writes it.
struct ScenarioEvent {
  int line = 0;  // 1-based line of the event in its file (0 when unknown)
  TimeMs at = 0;
  std::string user;  // userId ("" when none)
  std::string anon;  // anonymousId ("" when none)
  EventType type = EventType::kTrack;
  std::string event;          // track: the event name
  nlohmann::json properties;  // null when not written
  nlohmann::json traits;      // identify: the traits (an object, maybe empty); null for a track
  nlohmann::json context;     // null when not written
  std::string id;             // the messageId ("" when not written)

  // "user:<user>" when there is a user, else "anon:<anon>".
  std::string Identity() const;
  // As an Event: ids, type, name, timestamp and received_at = at, message_id = id, and the written
  // properties / traits / context as JSON text (the Event's "{}" when not written).
  Event ToEvent() const;
  // As a Segment-spec call body (what the HTTP ingest path takes): type, userId / anonymousId,
  // event, timestamp, and the written properties, traits (when not empty), context and messageId.
  nlohmann::json ToSegmentJson() const;
};

// Whether `item` is an event (a map with `track` or `identify`), for lists that hold other items
// too (a journey timeline's `apply`, `state`, `restart`).
bool IsEvent(const YAML::Node& item);

// Parses one event; `base` is what HH:MM and +<duration> count from. InvalidArgument naming
// "<file>:<line>", the field and what it must be for a bad event (an unknown field, a bad time, no
// user or anon, neither or both of track and identify, a field of the wrong shape).
Result<ScenarioEvent> ParseEvent(const YAML::Node& item, TimeMs base, std::string_view file);

// Parses a list of events (an absent or null node is an empty list); the first bad event's error.
Result<std::vector<ScenarioEvent>> ParseEvents(const YAML::Node& list, TimeMs base,
                                               std::string_view file);

}  // namespace signpost::scenario
