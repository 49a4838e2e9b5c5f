// Appends from several threads at once, with readers running beside them: every event is stored
// once with a unique seq, and the identity links all land.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "identity/test_support.h"
#include "store/test_util.h"

namespace signpost::identity {
namespace {

using store::testing::Identify;
using store::testing::TempDir;
using store::testing::Track;

TEST(ProfileStoreConcurrency, ParallelAppendsAndReads) {
  TempDir tmp;
  auto opened = testing::OpenProfiles::Open({tmp.path(), false});
  ASSERT_TRUE(opened.ok());
  ProfileStore& ps = **opened;
  const store::Store& st = *opened->store;
  constexpr int kThreads = 4, kBatches = 20, kPerBatch = 50;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      // Reads race the writers: found or not yet, either is right; the test wants no tear.
      (void)ps.GetProfile("user:u0");
      (void)ps.ProfileOf("anon:a0");
      (void)ps.MergesAfter(0);
    }
  });
  std::vector<std::thread> writers;
  std::atomic<size_t> accepted{0}, duplicates{0};
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Event> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          const int n = b * kPerBatch + i;  // the same ids in every thread: 3 of 4 are duplicates
          batch.push_back(
              n % 10 == 0 ? Identify("m" + std::to_string(n), "u" + std::to_string(n % 7),
                                     "a" + std::to_string(n % 13), n)
                          : Track("m" + std::to_string(n), "", "a" + std::to_string(n % 13), n));
        }
        auto r = ps.Append(batch);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        accepted += r->accepted;
        duplicates += r->duplicates;
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  constexpr size_t kDistinct = kBatches * kPerBatch;
  EXPECT_EQ(accepted.load(), kDistinct);
  EXPECT_EQ(duplicates.load(), kDistinct * (kThreads - 1));
  std::set<uint64_t> seqs;
  uint64_t last = 0;
  ASSERT_TRUE(st.ScanEvents(0, [&](const Event& e) {
                  EXPECT_GT(e.seq, last);
                  last = e.seq;
                  seqs.insert(e.seq);
                  return true;
                }).ok());
  EXPECT_EQ(seqs.size(), kDistinct);
  EXPECT_EQ(*seqs.rbegin(), kDistinct);  // no gaps
  // Every identify bound its anonymousId to a userId; 7 userIds over 13 anonymous ids means some
  // links were refused, but no profile ever holds two userIds.
  for (int u = 0; u < 7; ++u) {
    auto view = ps.GetProfile("user:u" + std::to_string(u));
    ASSERT_TRUE(view.ok());
    int users = 0;
    for (const auto& id : view->identities) users += id.rfind("user:", 0) == 0;
    EXPECT_EQ(users, 1);
  }
}

}  // namespace
}  // namespace signpost::identity
