// Writes a parsed simdjson DOM value back as minified JSON text.
#pragma once

#include <simdjson.h>

#include <string>

namespace signpost::ingest {

// Appends `value` to `out` as minified JSON: keys in input order, strings re-escaped, integers
// as parsed, doubles in their shortest round-trip form (so "1.0" becomes "1", "1E2" becomes "100").
// Faster than simdjson::minify(): no intermediate buffer. Never fails. Thread-safe for distinct
// `out`s.
void AppendMinifiedJson(simdjson::dom::element value, std::string& out);

// The same, as a new string.
std::string MinifiedJson(simdjson::dom::element value);

}  // namespace signpost::ingest
