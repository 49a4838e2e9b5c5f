// The names of include/signpost/event_catalog.h's enums, shared by the drift code and src/wire.
#include "signpost/event_catalog.h"

namespace signpost {

const char* DriftKindName(DriftKind kind) {
  switch (kind) {
    case DriftKind::kNewEvent:
      return "new_event";
    case DriftKind::kTypeChange:
      return "type_change";
    case DriftKind::kPropertyMissing:
      return "property_missing";
    case DriftKind::kEventStopped:
      return "event_stopped";
    case DriftKind::kLikelyRename:
      return "likely_rename";
  }
  return "unknown";
}

}  // namespace signpost
