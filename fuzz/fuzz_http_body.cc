// ParseHttpBody on every endpoint. Byte 0 picks the endpoint and whether limits are tiny.
#include <array>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "ingest/http_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  if (size == 0) return 0;
  static constexpr std::array<std::string_view, 8> kEndpoints = {
      "batch", "track", "identify", "alias", "page", "screen", "group", "batch"};
  const uint8_t selector = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  ingest::Limits limits;
  if (selector & 0x80) {  // small limits, so the limit paths are reached often
    limits.max_event_bytes = 64;
    limits.max_batch_bytes = 512;
    limits.max_batch_events = 4;
  }
  Result<ingest::ParsedEvents> parsed =
      ingest::ParseHttpBody(kEndpoints[selector & 7], body, 1795237200000, limits);
  if (!parsed.ok()) {
    fuzz::Check(!parsed.status().message().empty(), "error without message");
    return 0;
  }
  fuzz::CheckParsed(*parsed);
  if ((selector & 7) != 0 && (selector & 7) != 7) {
    fuzz::Check(parsed->events.size() + parsed->rejections.size() == 1,
                "a single-event body must give exactly one event or rejection");
  } else {
    fuzz::Check(parsed->events.size() + parsed->rejections.size() <= limits.max_batch_events,
                "more results than the batch limit");
  }
  return 0;
}
