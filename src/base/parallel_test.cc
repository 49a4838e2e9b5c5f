#include "base/parallel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace signpost {
namespace {

// Every item is handed out exactly once, in chunks of the given size, whatever the thread count.
TEST(ParallelTest, ForEachChunkCoversEveryItemOnce) {
  for (int threads : {1, 2, 5}) {
    for (uint64_t items : {uint64_t{0}, uint64_t{1}, uint64_t{7}, uint64_t{1000}}) {
      std::vector<std::atomic<int>> seen(items);
      ForEachChunk(items, 3, threads, [&](int t, uint64_t begin, uint64_t end) {
        EXPECT_GE(t, 0);
        EXPECT_LT(t, threads);
        EXPECT_LE(end - begin, 3u);
        for (uint64_t i = begin; i < end; ++i) seen[i].fetch_add(1);
      });
      for (uint64_t i = 0; i < items; ++i) EXPECT_EQ(seen[i].load(), 1) << threads << " " << i;
    }
  }
}

// ForEachTask runs each task once (the rebuild's tasks fill per-task state by task number), on at
// most `tasks` threads.
TEST(ParallelTest, ForEachTaskRunsEveryTaskOnce) {
  for (int tasks : {0, 1, 2, 4}) {
    std::mutex mu;
    std::vector<int> runs(static_cast<size_t>(tasks), 0);
    std::set<std::thread::id> ids;
    ForEachTask(tasks, [&](int task) {
      std::lock_guard<std::mutex> lock(mu);
      ++runs[static_cast<size_t>(task)];
      ids.insert(std::this_thread::get_id());
    });
    for (int r : runs) EXPECT_EQ(r, 1);
    EXPECT_LE(ids.size(), static_cast<size_t>(std::max(1, tasks)));
  }
}

}  // namespace
}  // namespace signpost
