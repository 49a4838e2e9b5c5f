// What every ingest parser produces: limits in, events and rejections out.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "signpost/clock.h"
#include "signpost/event.h"
#include "signpost/rejection.h"

namespace signpost::ingest {

// Size and count limits (docs/CONTRACT.md §1). Plain values; defaults as Segment's HTTP API.
struct Limits {
  size_t max_event_bytes = 32 * 1024;   // one event's raw JSON (a batch item minified), line or row
  size_t max_batch_bytes = 500 * 1024;  // one HTTP request body
  size_t max_batch_events = 2500;       // items in one batch
  // An event time more than this ahead of when signpost received the item is refused (a device
  // clock years ahead, year 9999). Default one day: time zones and drifting clocks stay fine.
  DurationMs max_future_skew_ms = kDayMs;
  // An event time before this is refused (a device clock reset to 1970, seconds read as ms).
  // Default 2000-01-01T00:00:00Z: older than any Segment-format data.
  TimeMs min_event_time = 946684800000LL;
};

struct ParsedEvents {
  std::vector<Event> events;          // valid, normalized, input order
  std::vector<Rejection> rejections;  // one per refused item, with location/field/reason/raw
  std::string write_key;              // "writeKey" found in the body, "" when absent
};

// Rejection::raw is cut to this many bytes.
constexpr size_t kMaxRejectionRawBytes = 64 * 1024;

}  // namespace signpost::ingest
