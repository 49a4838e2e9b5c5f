// An Event as the JSON document users see (Segment field names, ISO 8601 times).
#pragma once

#include <nlohmann/json.hpp>

#include "signpost/event.h"

namespace signpost::engine {

// Returns the event with Segment's field names: type, messageId, userId, anonymousId, event,
// previousId, groupId, timestamp, receivedAt, sentAt, originalTimestamp, properties, traits,
// context, and signpost's own `seq`. Empty fields are left out.
nlohmann::json EventJson(const Event& e);

}  // namespace signpost::engine
