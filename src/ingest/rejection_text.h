// Builds Rejections with the raw text cut to kMaxRejectionRawBytes.
#pragma once

#include <string>
#include <string_view>

#include "ingest/event_rules.h"
#include "signpost/rejection.h"

namespace signpost::ingest {

// A Rejection at `location` for `error`, keeping at most kMaxRejectionRawBytes of `raw` (as is:
// it may hold the bad bytes that were refused); field and reason are made valid UTF-8.
// Never fails. Thread-safe.
Rejection MakeRejection(std::string location, ItemError error, std::string_view raw);

// "max_event_bytes = 32768 bytes (32 KiB)": how messages name a byte limit.
std::string DescribeByteLimit(std::string_view name, size_t value);

}  // namespace signpost::ingest
