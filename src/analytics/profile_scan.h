// The parallel loops every analytics pass over the index shares: each profile's events (in a
// segment, or everyone) visited once, kProfileChunk profiles at a time (ForEachChunk,
// base/parallel.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_query.h"
#include "base/parallel.h"

namespace signpost::analytics {

// Profiles handed to a thread at a time by ForEachProfileView.
inline constexpr uint32_t kProfileChunk = 2048;

// One byte per slot of `index`: 1 for the profiles of options.segment. Empty (everyone) without
// a segment.
std::vector<uint8_t> SegmentMask(const EventIndex& index, const FunnelOptions& options);

// Calls fn(thread, slot, view) for every profile with events whose slot is set in `mask` (every
// profile when the mask is empty), on `threads` threads, kProfileChunk slots at a time.
template <class Fn>
void ForEachProfileView(const EventIndex& index, const std::vector<uint8_t>& mask, int threads,
                        Fn&& fn) {
  std::vector<ViewScratch> scratch(static_cast<size_t>(std::max(1, threads)));
  ForEachChunk(index.SlotCount(), kProfileChunk, threads, [&](int t, uint64_t begin, uint64_t end) {
    for (auto s = static_cast<uint32_t>(begin); s < end; ++s) {
      if (!mask.empty() && !mask[s]) continue;
      ProfileView view = index.View(s, &scratch[static_cast<size_t>(t)]);
      if (view.size != 0) fn(t, s, view);
    }
  });
}

}  // namespace signpost::analytics
