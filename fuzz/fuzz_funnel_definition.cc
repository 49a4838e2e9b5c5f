// Fuzzes the funnel definition parser (YAML and JSON text, and ad-hoc "A>B>C" steps): it must
// return a definition or a clear error, never crash, and a definition it returns must validate.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analytics/funnel_definition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto def = signpost::analytics::ParseFunnelDefinition(text);
  if (def.ok() && !signpost::analytics::ValidateFunnel(*def).ok()) std::abort();
  if (!def.ok() && def.status().message().empty()) std::abort();  // an error must say something
  auto adhoc = signpost::analytics::ParseAdHocFunnel(text);
  if (adhoc.ok() && !signpost::analytics::ValidateFunnel(*adhoc).ok()) std::abort();
  return 0;
}
