// Fuzzes the funnel query document (POST /api/funnels/query, the report's query parameters): any
// bytes give a clear error or options the kernel can run with, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "analytics/funnel_definition.h"
#include "analytics/funnel_query_json.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json query = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!query.is_object()) return 0;
  auto def = analytics::ParseFunnelDefinition("kind: funnel\nid: f\nsteps: [A, B, C]\n");
  fuzz::Check(def.ok(), "the fixed funnel parses");
  analytics::FunnelOptions options;
  analytics::PeopleQuery people;
  Status s = analytics::ApplyQueryJson(query, &*def, &options, &people);
  if (!s.ok()) {
    fuzz::Check(!s.message().empty(), "an error without a message");
    return 0;
  }
  fuzz::Check(def->steps.size() == 3, "a query never changes the steps");
  return 0;
}
