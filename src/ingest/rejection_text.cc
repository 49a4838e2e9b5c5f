#include "ingest/rejection_text.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "ingest/json_scan.h"
#include "ingest/parsed_events.h"

namespace signpost::ingest {
namespace {
bool IsUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }
}  // namespace

Rejection MakeRejection(std::string location, ItemError error, std::string_view raw) {
  Rejection r;
  r.location = std::move(location);
  // Shown in JSON replies: a reason quoting input cut mid-character must stay valid UTF-8.
  r.field = IsUtf8(error.field) ? std::move(error.field) : ToValidUtf8(error.field);
  r.reason = IsUtf8(error.reason) ? std::move(error.reason) : ToValidUtf8(error.reason);
  r.raw = std::string(raw.substr(0, kMaxRejectionRawBytes));
  return r;
}

std::string DescribeByteLimit(std::string_view name, size_t value) {
  if (value % 1024 == 0) return fmt::format("{} = {} bytes ({} KiB)", name, value, value / 1024);
  return fmt::format("{} = {} bytes", name, value);
}

}  // namespace signpost::ingest
