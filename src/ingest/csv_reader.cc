#include "ingest/csv_reader.h"

#include <algorithm>

#include "ingest/parsed_events.h"

namespace signpost::ingest {

CsvReader::CsvReader(size_t max_record_bytes)
    : max_record_bytes_(max_record_bytes),
      max_raw_bytes_(std::max(max_record_bytes + 1, kMaxRejectionRawBytes)) {}

void CsvReader::EndField() {
  // An oversized record is only delimited: keeping its (empty) fields could take unbounded memory.
  if (record_.raw_size <= max_record_bytes_) record_.fields.push_back(std::move(field_));
  field_.clear();
  closed_quote_ = false;
  field_started_ = false;
}

void CsvReader::EndRecord(const Sink& sink) {
  EndField();
  if (record_.raw_size > max_record_bytes_) record_.fields.clear();
  sink(record_);
  record_ = CsvRecord{};
  started_ = false;
}

void CsvReader::Feed(std::string_view bytes, const Sink& sink) {
  for (const char c : bytes) {
    if (in_quotes_) {
      if (quote_in_quotes_) {
        quote_in_quotes_ = false;
        if (c == '"') {  // "" inside quotes: one literal quote
          if (record_.raw_size <= max_record_bytes_) field_ += '"';
          goto count;
        }
        in_quotes_ = false;  // that quote closed the field; handle c below
        closed_quote_ = true;
      } else {
        if (c == '"') {
          quote_in_quotes_ = true;
        } else if (record_.raw_size <= max_record_bytes_) {
          field_ += c;
        }
        goto count;
      }
    }
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        EndRecord(sink);
        continue;
      }
      // A lone CR inside a field: keep it as data (another line end would be ambiguous).
      if (record_.raw_size <= max_record_bytes_) field_ += '\r';
      field_started_ = true;
      ++record_.raw_size;
      if (record_.raw.size() < max_raw_bytes_) record_.raw += '\r';
    }
    if (c == '\n') {
      EndRecord(sink);
      continue;
    }
    if (c == '\r') {
      pending_cr_ = true;
      started_ = true;
      continue;  // counted once we know it is not a line end
    }
    if (c == ',') {
      EndField();
    } else if (c == '"' && !field_started_) {
      in_quotes_ = true;
      field_started_ = true;
    } else {
      if (closed_quote_ && record_.error.empty()) {
        record_.error =
            "text after a closing quote: a quoted field ends at its closing quote; write a quote "
            "inside a quoted field as \"\"";
      }
      if (record_.raw_size <= max_record_bytes_) field_ += c;
      field_started_ = true;
    }
  count:
    started_ = true;
    ++record_.raw_size;
    if (record_.raw.size() < max_raw_bytes_) record_.raw += c;
  }
}

void CsvReader::Finish(const Sink& sink) {
  if (quote_in_quotes_) {  // the input ended right after a closing quote
    quote_in_quotes_ = false;
    in_quotes_ = false;
    closed_quote_ = true;
  }
  if (in_quotes_) {
    in_quotes_ = false;
    if (record_.error.empty()) {
      record_.error = "a quoted field is never closed: add the closing quote (\")";
    }
  }
  pending_cr_ = false;
  if (started_) EndRecord(sink);
}

}  // namespace signpost::ingest
