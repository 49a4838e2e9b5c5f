// Small helpers for writing JSON text by hand (CSV rows, merged objects).
#pragma once

#include <string>
#include <string_view>

namespace signpost::ingest {

// Appends `text` to `out` as a quoted JSON string: `"` `\` and control characters escaped,
// everything else (UTF-8 included) copied. Never fails. Thread-safe (no shared state).
void AppendJsonString(std::string_view text, std::string& out);

// True when `text` is a JSON number (RFC 8259 grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
// whose value is finite as a double, so it can be stored and read back as a number.
bool IsJsonNumber(std::string_view text);

}  // namespace signpost::ingest
