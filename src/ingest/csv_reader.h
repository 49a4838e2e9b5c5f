// Splits a byte stream into RFC 4180 records: quoted fields, doubled quotes, embedded newlines,
// CRLF or LF line ends. Knows nothing of events (see csv_parser.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace signpost::ingest {

struct CsvRecord {
  std::vector<std::string> fields;  // unquoted, unescaped
  std::string raw;                  // the record's text without its line end, cut to a bounded size
  uint64_t raw_size = 0;            // the record's full size in bytes (without the line end)
  std::string error;                // non-empty when malformed: what is wrong, for a rejection
  bool blank() const { return raw_size == 0; }
};

// Thread-compatible: one reader per thread.
class CsvReader {
 public:
  // Records over `max_record_bytes` are still delimited correctly but their fields are not kept
  // (check raw_size); memory stays bounded whatever the input.
  explicit CsvReader(size_t max_record_bytes);

  using Sink = std::function<void(CsvRecord&)>;
  // Consumes `bytes`; calls `sink` for each record completed (the record may be moved from).
  void Feed(std::string_view bytes, const Sink& sink);
  // Ends the input: a last record without a line end is delivered; an open quote is an error.
  void Finish(const Sink& sink);

 private:
  void EndField();
  void EndRecord(const Sink& sink);

  size_t max_record_bytes_;
  size_t max_raw_bytes_;
  CsvRecord record_;
  std::string field_;
  bool in_quotes_ = false;
  bool quote_in_quotes_ = false;  // saw `"` inside quotes: an escaped quote or the closing one
  bool closed_quote_ = false;     // the current field's closing quote has been read
  bool field_started_ = false;    // the current field has content (a quote now is literal)
  bool pending_cr_ = false;       // saw `\r` outside quotes: a CRLF or a lone CR
  bool started_ = false;          // the current record has at least one byte
};

}  // namespace signpost::ingest
