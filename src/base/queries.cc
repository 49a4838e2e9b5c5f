// The names of the enums of include/signpost/queries.h, both ways.
#include "signpost/queries.h"

#include <charconv>

namespace signpost {

const char* FunnelOrderName(FunnelOrder m) {
  switch (m) {
    case FunnelOrder::kOrdered:
      return "ordered";
    case FunnelOrder::kStrict:
      return "strict";
    case FunnelOrder::kAny:
      return "any";
  }
  return "ordered";
}

const char* FunnelEntryName(FunnelEntry m) {
  switch (m) {
    case FunnelEntry::kAnyAttempt:
      return "any_attempt";
    case FunnelEntry::kFirstEntry:
      return "first_entry";
    case FunnelEntry::kEachAttempt:
      return "each_attempt";
  }
  return "any_attempt";
}

Result<FunnelOrder> ParseFunnelOrder(std::string_view t) {
  if (t == "ordered") return FunnelOrder::kOrdered;
  if (t == "strict") return FunnelOrder::kStrict;
  if (t == "any") return FunnelOrder::kAny;
  return Status::InvalidArgument("unknown order '" + std::string(t) +
                                 "'; use ordered, strict or any");
}

Result<FunnelEntry> ParseFunnelEntry(std::string_view t) {
  if (t == "any_attempt") return FunnelEntry::kAnyAttempt;
  if (t == "first_entry") return FunnelEntry::kFirstEntry;
  if (t == "each_attempt") return FunnelEntry::kEachAttempt;
  return Status::InvalidArgument("unknown entry '" + std::string(t) +
                                 "'; use any_attempt, first_entry or each_attempt");
}

Result<BreakdownAttribution> ParseBreakdownAttribution(std::string_view text) {
  BreakdownAttribution a;
  if (text == "first" || text == "first_touch" || text.empty()) return a;
  if (text == "last" || text == "last_touch") {
    a.kind = BreakdownAttribution::kLast;
    return a;
  }
  if (text.rfind("step:", 0) == 0) {
    int n = 0;
    auto r = std::from_chars(text.data() + 5, text.data() + text.size(), n);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size() && n >= 1) {
      a.kind = BreakdownAttribution::kStep;
      a.step = n;
      return a;
    }
  }
  return Status::InvalidArgument("attribution '" + std::string(text) +
                                 "' is unknown; use first, last or step:N (N from 1)");
}

}  // namespace signpost
