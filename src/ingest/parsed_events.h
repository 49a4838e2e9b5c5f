// What every ingest parser produces: limits in, events and rejections out.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "signpost/event.h"
#include "signpost/rejection.h"

namespace signpost::ingest {

// Size and count limits (PRODUCT.md §1). Plain values; defaults as Segment's HTTP API.
struct Limits {
  size_t max_event_bytes = 32 * 1024;   // one event's raw JSON (a batch item minified), line or row
  size_t max_batch_bytes = 500 * 1024;  // one HTTP request body
  size_t max_batch_events = 2500;       // items in one batch
};

struct ParsedEvents {
  std::vector<Event> events;          // valid, normalized, input order
  std::vector<Rejection> rejections;  // one per refused item, with location/field/reason/raw
  std::string write_key;              // "writeKey" found in the body, "" when absent
};

// Rejection::raw is cut to this many bytes.
constexpr size_t kMaxRejectionRawBytes = 64 * 1024;

}  // namespace signpost::ingest
