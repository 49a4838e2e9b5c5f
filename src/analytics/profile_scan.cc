#include "analytics/profile_scan.h"

namespace signpost::analytics {

std::vector<uint8_t> SegmentMask(const EventIndex& index, const FunnelOptions& options) {
  std::vector<uint8_t> mask;
  if (!options.segment) return mask;
  mask.assign(index.SlotCount(), 0);
  for (ProfileId id : *options.segment) {
    const int64_t slot = index.SlotOf(id);
    if (slot >= 0) mask[static_cast<size_t>(slot)] = 1;
  }
  return mask;
}

}  // namespace signpost::analytics
