// ParseIso8601 and ParseDuration: no crash, and what parses formats back to the same value.
#include <cstdint>
#include <string_view>

#include "base/duration.h"
#include "base/time.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<TimeMs> t = ParseIso8601(text);
  if (t.ok()) {
    // Offsets may move a year-0001 local time into year 0000, which Format writes but Parse
    // refuses.
    if (*t >= -62135596800000LL && *t <= 253402300799999LL) {
      Result<TimeMs> again = ParseIso8601(FormatIso8601(*t));
      fuzz::Check(again.ok() && *again == *t, "FormatIso8601 does not round-trip");
    }
  } else {
    fuzz::Check(!t.status().message().empty(), "time error without message");
  }
  Result<DurationMs> d = ParseDuration(text);
  if (d.ok()) {
    fuzz::Check(*d >= 0, "negative duration parsed");
    Result<DurationMs> again = ParseDuration(FormatDuration(*d));
    fuzz::Check(again.ok() && *again == *d, "FormatDuration does not round-trip");
  }
  return 0;
}
