// Small helpers for writing JSON text by hand (CSV rows, merged objects).
#pragma once

#include <string>
#include <string_view>

#include "base/json_text.h"

namespace signpost::ingest {

// AppendJsonString lives in base (src/base/json_text.h); ingest code calls it as before.
using signpost::AppendJsonString;

// True when `text` is a JSON number (RFC 8259 grammar:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?) whose value is finite as a double and, for a whole
// number (no fraction, no exponent), fits a 64-bit integer, so it can be stored and read back as a
// number.
bool IsJsonNumber(std::string_view text);

}  // namespace signpost::ingest
