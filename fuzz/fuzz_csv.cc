// CsvParser: the input fed whole and fed in chunks (size from byte 0) must agree.
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "ingest/csv_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 13;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ingest::Limits limits;
  limits.max_event_bytes = 16 + data[0] * 4;
  ingest::ParsedEvents whole, chunked;
  ingest::CsvParser a(1795237200000, limits), b(1795237200000, limits);
  a.Feed(text, whole);
  a.Finish(whole);
  for (size_t i = 0; i < text.size(); i += chunk) b.Feed(text.substr(i, chunk), chunked);
  b.Finish(chunked);
  fuzz::CheckParsed(whole);
  fuzz::Check(a.status().ok() == b.status().ok(), "chunking changed the header status");
  fuzz::Check(whole.events.size() == chunked.events.size(), "chunking changed the events");
  fuzz::Check(whole.rejections.size() == chunked.rejections.size(), "chunking changed rejections");
  for (size_t i = 0; i < whole.events.size(); ++i) {
    fuzz::Check(whole.events[i].message_id == chunked.events[i].message_id, "messageId differs");
    fuzz::Check(whole.events[i].properties == chunked.events[i].properties, "properties differ");
  }
  return 0;
}
