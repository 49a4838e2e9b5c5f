// Streaming NDJSON import: one Segment event (a JSON object with `type`) per line.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "ingest/parsed_events.h"
#include "signpost/clock.h"

namespace signpost::ingest {

// Feed any byte chunks (a line may span chunks); each Feed appends the events and rejections of
// the lines it completed to `out`; Finish() handles a last line without a newline.
// Locations are "line N" (1-based, blank lines counted). Blank lines are skipped; a trailing "\r"
// (CRLF files) and a UTF-8 byte-order mark on line 1 are dropped. A line over max_event_bytes is
// rejected without being parsed (memory stays bounded by that limit whatever the input).
// An item's own `receivedAt` (e.g. a Segment export) replaces `received_at` for that event.
// Thread-compatible: one parser per thread; distinct parsers are independent.
class NdjsonParser {
 public:
  explicit NdjsonParser(TimeMs received_at, Limits limits = {});
  ~NdjsonParser();
  NdjsonParser(NdjsonParser&&) noexcept;
  NdjsonParser& operator=(NdjsonParser&&) noexcept;

  // Consumes `bytes`; never fails (bad lines become rejections).
  void Feed(std::string_view bytes, ParsedEvents& out);
  // Flushes the last line (if any). Calling it again, or Feed after it, starts a new line.
  void Finish(ParsedEvents& out);
  // Lines seen so far (complete ones).
  uint64_t lines() const;
  // Numbers the next line n + 1: for a parser given a part of a file that starts at a line start
  // after n lines (an importer parsing the parts of a chunk on several threads). Drops a line not
  // yet ended.
  void SetLinesBefore(uint64_t n);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace signpost::ingest
