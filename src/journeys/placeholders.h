// Values a journey takes from its entry event: "{{entry.properties.cart_id}}" in a wait's `match`.
#pragma once

#include <string>
#include <string_view>

namespace signpost::journeys {

// Replaces each "{{entry.properties.a.b}}" or "{{event.properties.a.b}}" in `text` with that value
// of the entry event's properties (JSON text): strings as they are, other values as JSON, missing
// values as "". Text outside placeholders is kept. Pure: thread-safe.
std::string RenderPlaceholders(std::string_view text, std::string_view entry_properties_json);

}  // namespace signpost::journeys
