// Helpers shared by this folder's tests (header-only, included only by *_test.cc).
#pragma once

#include <string>
#include <string_view>

#include "base/time.h"
#include "ingest/parsed_events.h"

namespace signpost::ingest::testing {

// The instant of an ISO 8601 text; aborts the test binary on a typo in a test.
inline TimeMs At(std::string_view iso) {
  Result<TimeMs> t = ParseIso8601(iso);
  if (!t.ok()) std::abort();
  return *t;
}

// "location field: reason" of every rejection, one per line, for readable failure messages.
inline std::string Describe(const ParsedEvents& parsed) {
  std::string out;
  for (const Rejection& r : parsed.rejections) {
    out += r.location + " [" + r.field + "] " + r.reason + "\n";
  }
  return out;
}

}  // namespace signpost::ingest::testing
