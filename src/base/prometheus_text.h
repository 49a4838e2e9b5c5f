// The Prometheus text exposition format (version 0.0.4), as /metrics writes it: label values
// escaped once, here, for every family that has labels (journey ids, channels, routes,
// partitions, the build info). Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

namespace signpost {

// `value` as the inside of a quoted label value: `\` → `\\`, `"` → `\"`, newline → `\n`; every
// other byte (UTF-8 included) copied. Never fails.
std::string PromLabelValue(std::string_view value);

// Appends `name="value"` (the value escaped) to `out`, after a ',' unless `out` ends with '{'.
void AppendPromLabel(std::string& out, std::string_view name, std::string_view value);

}  // namespace signpost
