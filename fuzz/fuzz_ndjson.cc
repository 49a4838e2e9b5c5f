// NdjsonParser: the input fed whole and fed in chunks (size from byte 0) must agree.
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "ingest/ndjson_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 17;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ingest::Limits limits;
  limits.max_event_bytes = 1 + data[0] * 4;  // 1..1021: lines over the limit are common
  ingest::ParsedEvents whole, chunked;
  {
    ingest::NdjsonParser parser(1795237200000, limits);
    parser.Feed(text, whole);
    parser.Finish(whole);
  }
  {
    ingest::NdjsonParser parser(1795237200000, limits);
    for (size_t i = 0; i < text.size(); i += chunk) parser.Feed(text.substr(i, chunk), chunked);
    parser.Finish(chunked);
  }
  fuzz::CheckParsed(whole);
  fuzz::Check(whole.events.size() == chunked.events.size(), "chunking changed the events");
  fuzz::Check(whole.rejections.size() == chunked.rejections.size(), "chunking changed rejections");
  for (size_t i = 0; i < whole.events.size(); ++i) {
    fuzz::Check(whole.events[i].message_id == chunked.events[i].message_id, "messageId differs");
  }
  for (size_t i = 0; i < whole.rejections.size(); ++i) {
    fuzz::Check(whole.rejections[i].location == chunked.rejections[i].location, "location differs");
  }
  return 0;
}
