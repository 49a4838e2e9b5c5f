// Fuzzes the funnel query document (POST /api/funnels/query, the report's query parameters) as
// src/wire reads it: any bytes give a clear error or a typed query, never a crash.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz_check.h"
#include "wire/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json query = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!query.is_object()) return 0;
  for (std::string_view id : {"", "f"}) {
    auto q = wire::ParseFunnelPeopleQuery(id, query);
    if (!q.ok()) {
      fuzz::Check(!q.status().message().empty(), "an error without a message");
      continue;
    }
    fuzz::Check(q->funnel.id == id, "the query keeps the funnel it was read for");
    fuzz::Check(!q->funnel.top || *q->funnel.top >= 1, "top below 1 accepted");
  }
  return 0;
}
