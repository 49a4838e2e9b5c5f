// The one way work is spread over threads in a parallel pass (the analytics scans, the bulk load,
// the index rebuild at open): chunks of the work handed out to a pool started for the pass, the
// caller's thread one of them.
// Thread-safety: fn runs on several threads at once; what it touches is the caller's business.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace signpost {

// Calls fn(thread, begin, end) for chunks [begin, end) of 0..items-1, `chunk` items each, handed
// out to `threads` threads as they finish (one thread when there is a single chunk; thread 0 is
// the caller's).
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

// Calls fn(task) once for each task = 0..tasks-1, on `tasks` threads (ForEachChunk with one task
// per chunk: a thread that finishes early may take another task).
template <class Fn>
void ForEachTask(int tasks, Fn&& fn) {
  ForEachChunk(static_cast<uint64_t>(std::max(0, tasks)), 1, tasks,
               [&](int, uint64_t task, uint64_t) { fn(static_cast<int>(task)); });
}

}  // namespace signpost
