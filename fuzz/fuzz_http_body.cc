// ParseHttpBody on every endpoint. Byte 0 picks the endpoint and whether limits are tiny.
// Also checks the batch splitter and the fault finder against simdjson on the same text: what
// simdjson accepts has no fault, and a batch it parses splits into exactly its items.
#include <simdjson.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "ingest/http_body.h"
#include "ingest/json_scan.h"

namespace {

void CheckScannerAgreesWithSimdjson(std::string_view body) {
  using namespace signpost;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root)) {
    // Refused by simdjson: the splitter must not crash, and each item it finds is judged alone.
    if (auto split = ingest::SplitBatch(body)) {
      for (std::string_view item : split->items) {
        fuzz::Check(
            item.data() >= body.data() && item.data() + item.size() <= body.data() + body.size(),
            "an item outside the body");
      }
    }
    (void)ingest::FindJsonFault(body);  // any answer will do: only a crash is a finding
    return;
  }
  fuzz::Check(!ingest::FindJsonFault(body).has_value(), "a fault found in text simdjson accepts");
  simdjson::dom::array batch;
  if (root.type() != simdjson::dom::element_type::OBJECT || root["batch"].get_array().get(batch)) {
    return;
  }
  std::optional<ingest::BatchSplit> split = ingest::SplitBatch(body);
  fuzz::Check(split.has_value(), "a valid batch body that does not split");
  fuzz::Check(split->items.size() == batch.size(), "the split found another number of items");
  simdjson::dom::parser shell_parser;
  simdjson::dom::element shell;
  fuzz::Check(!shell_parser.parse(split->shell).get(shell),
              "the shell of a valid body is not JSON");
}

}  // namespace

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
  if ((selector & 7) == 0) CheckScannerAgreesWithSimdjson(body);
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
