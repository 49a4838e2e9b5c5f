#include "ingest/rejection_text.h"

#include <fmt/format.h>

#include "ingest/parsed_events.h"

namespace signpost::ingest {

Rejection MakeRejection(std::string location, ItemError error, std::string_view raw) {
  Rejection r;
  r.location = std::move(location);
  r.field = std::move(error.field);
  r.reason = std::move(error.reason);
  r.raw = std::string(raw.substr(0, kMaxRejectionRawBytes));
  return r;
}

std::string DescribeByteLimit(std::string_view name, size_t value) {
  if (value % 1024 == 0) return fmt::format("{} = {} bytes ({} KiB)", name, value, value / 1024);
  return fmt::format("{} = {} bytes", name, value);
}

}  // namespace signpost::ingest
