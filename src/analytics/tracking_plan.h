// Tracking plans (`kind: tracking_plan`): the events a source is expected to send and a JSON
// Schema subset for their properties (or an identify's traits), checked on every item at ingest.
//
//   kind: tracking_plan
//   id: web
//   mode: flag            # flag: store the item, count and list the violation; block: dead letter
//   unplanned: allow      # allow | flag: a track event whose name the plan does not list
//   events:
//     - event: Order Completed
//       type: track       # track (default) | page | screen | identify (checks traits)
//       required: [order_id]
//       additional_properties: true   # false: a property not listed is a violation
//       properties:
//         order_id: { type: string, pattern: "^o-[0-9]+$" }
//         total:    { type: number, minimum: 0 }
//         plan:     { type: string, enum: [free, pro] }
//         address:  { type: object, properties: { city: { type: string, required: true } } }
//
// Keywords of a property schema: type (string, number, integer, boolean, object, array, null, or a
// list of them), required (true), enum (a list of scalars), pattern (RE2, bounded: rules::
// CompileRegex), minimum / maximum, min_length / max_length, properties (nested, 4 levels at most),
// required (a list, in an object), additional_properties (JSON Schema's camelCase spellings are
// accepted too). Bounds: 500 events, 200 properties per object, 200 enum values.
//
// Thread-safety: plain values and pure functions (a TrackingPlan may be shared read-only).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/event.h"
#include "signpost/status.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace signpost::analytics {

enum class PlanMode : uint8_t { kFlag = 0, kBlock };
const char* PlanModeName(PlanMode mode);

struct PlanLiteral {
  enum class Kind : uint8_t { kString, kNumber, kBool, kNull } kind = Kind::kString;
  std::string text;
  double number = 0;
};

struct PropertySchema {
  std::string name;   // the key ("total"); "" for an event's top-level object
  uint8_t types = 0;  // bit i = kCatalogTypes[i] (event_catalog.h); bit 6 = integer; 0 = any
  bool required = false;
  std::vector<PlanLiteral> enum_values;  // empty = any
  std::string pattern_text;
  std::shared_ptr<const re2::RE2> pattern;
  std::optional<double> minimum, maximum;
  std::optional<uint64_t> min_length, max_length;
  bool additional = true;                  // objects: keys not in `properties` allowed
  std::vector<PropertySchema> properties;  // objects: the listed keys
};

struct PlannedEvent {
  EventType type = EventType::kTrack;
  std::string event;      // the name (track) or page/screen name; "" for identify
  PropertySchema schema;  // the properties (traits for identify) object
};

struct TrackingPlan {
  std::string id;
  std::string name;
  uint64_t version = 0;  // set by whoever stored it
  PlanMode mode = PlanMode::kFlag;
  bool flag_unplanned = false;
  std::vector<PlannedEvent> events;

  // The planned event of (type, name), or nullptr.
  const PlannedEvent* Find(EventType type, std::string_view name) const;
};

// One broken rule of one item.
struct PlanViolation {
  std::string property;  // "properties.total"; "" for the event (unplanned)
  std::string rule;      // "type", "required", "enum", "pattern", "minimum", "maximum",
                         // "min_length", "max_length", "additional_properties", "unplanned"
  std::string message;   // "properties.total: expected number, got string"
};

// Parses and validates a plan from YAML or JSON. kInvalidArgument naming the field
// ("events[2].properties.total.pattern") and the fix. Pure: thread-safe.
Result<TrackingPlan> ParseTrackingPlan(std::string_view text);

// The violations of `e` against `plan` (none when the plan does not list the event and does not
// flag unplanned ones). At most 16 per item. `body` is e's properties (traits for identify) text;
// malformed text reads as an empty object. Pure: thread-safe.
std::vector<PlanViolation> CheckAgainstPlan(const TrackingPlan& plan, const Event& e);

}  // namespace signpost::analytics
