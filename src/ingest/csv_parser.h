// Streaming CSV import (RFC 4180): a header row names the fields, each later row is one event.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "ingest/parsed_events.h"
#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::ingest {

// Header columns: type (default "track" when there is no such column or the cell is empty),
// messageId, userId, anonymousId, event, name, previousId, groupId, timestamp, sentAt,
// originalTimestamp, receivedAt, and nested properties.x, traits.x, context.a.b, integrations.x
// (dots build nested objects). Cells: empty = field absent; true/false -> booleans; a valid JSON
// number -> number; anything else -> string (id and time columns are always text).
// Quoted fields, doubled quotes, embedded newlines and CRLF follow RFC 4180.
// Locations are "row N" (1-based data rows after the header; blank rows are counted and skipped).
// A header that cannot be used (unknown or repeated column, `properties.a` next to
// `properties.a.b`) is one Rejection at location "header" and makes status() non-ok; every
// later row is then ignored.
// Thread-compatible: one parser per thread.
class CsvParser {
 public:
  explicit CsvParser(TimeMs received_at, Limits limits = {});
  ~CsvParser();
  CsvParser(CsvParser&&) noexcept;
  CsvParser& operator=(CsvParser&&) noexcept;

  // Consumes `bytes` (a row may span chunks); appends completed rows' events/rejections to `out`.
  void Feed(std::string_view bytes, ParsedEvents& out);
  // Flushes the last row (one without a final newline; an unterminated quote is rejected).
  void Finish(ParsedEvents& out);
  // Ok, or kInvalidArgument naming the bad header column and listing the valid ones.
  const Status& status() const;
  // Data rows seen so far.
  uint64_t rows() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace signpost::ingest
