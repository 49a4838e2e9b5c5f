// The body of a Segment HTTP tracking API call (POST /v1/<endpoint>) -> events and rejections.
#pragma once

#include <string_view>

#include "ingest/parsed_events.h"
#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::ingest {

// Parses the body of POST /v1/<endpoint>, endpoint one of track|identify|alias|page|screen|group|
// batch. Single endpoints imply the type; batch items need `type`.
// Returns the valid events (input order), one Rejection per refused item ("body" or "batch[i]")
// and the body's `writeKey` on success.
// A non-ok Status only when the whole request is refused:
//  - kResourceExhausted when the body is over max_batch_bytes, a batch has more than
//    max_batch_events items, or a single-event body is over max_event_bytes (the message names
//    the limit and its value);
//  - kInvalidArgument when the endpoint is unknown, the body is empty, not JSON (syntax), not an
//    object, `batch` is missing / not an array, or a batch's top-level `context`, `integrations`
//    (not objects) or `sentAt` (not a date) is unusable or not UTF-8.
// A leading UTF-8 BOM is skipped. A batch item over max_event_bytes (measured minified), or that
// does not parse alone (invalid UTF-8, a lone surrogate, a number out of range, an integer beyond
// 64 bits, too deep, a syntax error inside it) is a Rejection naming the field; the other items
// are kept. A single-event body with such a fault (syntax errors aside) is a Rejection at "body".
// Thread-safe: no shared state (each call uses its own parser).
Result<ParsedEvents> ParseHttpBody(std::string_view endpoint, std::string_view body,
                                   TimeMs received_at, const Limits& limits = {});

}  // namespace signpost::ingest
