// Deterministic message ids for events sent without one.
#pragma once

#include <string>
#include <string_view>

namespace signpost::ingest {

// Returns "sp-" followed by the 32 lowercase hex digits of the 128-bit XXH3 hash of `raw`
// (high 64 bits first). The same bytes always give the same id, so re-importing a file does not
// double count. Never fails. Thread-safe.
std::string GenerateMessageId(std::string_view raw);

}  // namespace signpost::ingest
