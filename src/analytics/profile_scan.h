// The parallel loops every analytics pass over the index shares: chunks of work handed out to
// threads as they finish, and each profile's events (in a segment, or everyone) visited once.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_query.h"

namespace signpost::analytics {

// Profiles handed to a thread at a time by ForEachProfileView.
inline constexpr uint32_t kProfileChunk = 2048;

// One byte per slot of `index`: 1 for the profiles of options.segment. Empty (everyone) without
// a segment.
std::vector<uint8_t> SegmentMask(const EventIndex& index, const FunnelOptions& options);

// Calls fn(thread, begin, end) for chunks [begin, end) of 0..items-1, `chunk` items each, handed
// out to `threads` threads as they finish (one thread when there is a single chunk).
template <class Fn>
void ForEachChunk(uint64_t items, uint64_t chunk, int threads, Fn&& fn) {
  std::atomic<uint64_t> next{0};
  auto work = [&](int t) {
    while (true) {
      const uint64_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
      if (begin >= items) break;
      fn(t, begin, std::min(items, begin + chunk));
    }
  };
  threads = std::max(1, threads);
  if (threads == 1 || items <= chunk) {
    work(0);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
}

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
