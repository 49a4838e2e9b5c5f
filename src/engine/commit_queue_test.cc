#include "engine/commit_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

namespace signpost::engine {
namespace {

Event WithId(std::string id) {
  Event e;
  e.message_id = std::move(id);
  e.user_id = "u";
  return e;
}

// A commit function that dedups by message id in memory, like the store does.
struct FakeStore {
  std::set<std::string> seen;
  uint64_t next = 1;
  std::atomic<int> commits{0};
  Status Commit(std::vector<Event>& events, std::vector<std::string>&) {
    commits++;
    for (auto& e : events) e.seq = seen.insert(e.message_id).second ? next++ : 0;
    return Status::Ok();
  }
};

TEST(CommitQueue, CountsAcceptedAndDuplicatesPerSubmission) {
  FakeStore store;
  CommitQueue q([&](auto& ev, auto& r) { return store.Commit(ev, r); });
  auto a = q.Submit({WithId("1"), WithId("2"), WithId("1")}).get();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->accepted, 2u);
  EXPECT_EQ(a->duplicates, 1u);
  auto b = q.Submit({WithId("2"), WithId("3")}).get();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->accepted, 1u);
  EXPECT_EQ(b->duplicates, 1u);
}

TEST(CommitQueue, ConcurrentSubmissionsAllResolveAndShareCommits) {
  FakeStore store;
  CommitQueue q([&](auto& ev, auto& r) { return store.Commit(ev, r); });
  std::vector<std::thread> threads;
  std::atomic<size_t> accepted{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto r = q.Submit({WithId(std::to_string(t) + "-" + std::to_string(i))}).get();
        ASSERT_TRUE(r.ok());
        accepted += r->accepted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 1600u);
  EXPECT_LE(store.commits.load(), 1600);
}

TEST(CommitQueue, ACommitErrorReachesEverySubmissionOfTheGroup) {
  CommitQueue q([](auto&, auto&) { return Status::IoError("disk full"); });
  auto r = q.Submit({WithId("1")}).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
}

// /readyz reads this: a failing disk makes the server not ready until a write succeeds again.
TEST(CommitQueue, TheLastWriteErrorIsKeptUntilAWriteSucceeds) {
  std::atomic<bool> fail{false};
  CommitQueue q(
      [&fail](auto&, auto&) { return fail ? Status::IoError("disk full") : Status::Ok(); });
  EXPECT_TRUE(q.last_error().ok());
  fail = true;
  ASSERT_FALSE(q.Submit({WithId("1")}).get().ok());
  EXPECT_EQ(q.last_error().code(), Code::kIoError);
  EXPECT_NE(q.last_error().message().find("disk full"), std::string::npos);
  fail = false;
  ASSERT_TRUE(q.Submit({WithId("2")}).get().ok());
  EXPECT_TRUE(q.last_error().ok());
}

}  // namespace
}  // namespace signpost::engine
