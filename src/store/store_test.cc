// Append, dedup, sequence numbers, scans and crash durability of the event store.
#include "store/store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "store/test_util.h"

namespace signpost::store {
namespace {

using testing::TempDir;
using testing::Track;

std::unique_ptr<Store> OpenStore(const std::string& dir) {
  auto store = Store::Open({dir, true});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<Event> AllEvents(const Store& store, uint64_t after = 0) {
  std::vector<Event> out;
  EXPECT_TRUE(store.ScanEvents(after, [&](const Event& e) {
    out.push_back(e);
    return true;
  }).ok());
  return out;
}

TEST(Store, AssignsIncreasingSeqsAndScansInOrder) {
  TempDir tmp;
  auto store = OpenStore(tmp.path());
  std::vector<Event> batch = {Track("m1", "u1", "", 300), Track("m2", "", "a1", 100),
                              Track("m3", "u2", "", 200)};
  auto r = store->Append(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 3u);
  EXPECT_EQ(r->duplicates, 0u);
  EXPECT_EQ(batch[0].seq, 1u);
  EXPECT_EQ(batch[1].seq, 2u);
  EXPECT_EQ(batch[2].seq, 3u);
  auto all = AllEvents(*store);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].message_id, "m1");  // seq order, not time order
  EXPECT_EQ(all[1].anonymous_id, "a1");
  EXPECT_EQ(all[2].seq, 3u);
  EXPECT_EQ(AllEvents(*store, 2).size(), 1u);
  EXPECT_EQ(store->EventCount(), 3u);
}

TEST(Store, DedupWithinOneCall) {
  TempDir tmp;
  auto store = OpenStore(tmp.path());
  std::vector<Event> batch = {Track("m1", "u1", "", 1), Track("m1", "u1", "", 1),
                              Track("m2", "u1", "", 2), Track("m1", "u9", "", 3)};
  auto r = store->Append(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 2u);
  EXPECT_EQ(r->duplicates, 2u);
  EXPECT_EQ(batch[0].seq, 1u);
  EXPECT_EQ(batch[1].seq, 0u);
  EXPECT_EQ(batch[2].seq, 2u);
  EXPECT_EQ(batch[3].seq, 0u);
  EXPECT_EQ(AllEvents(*store).size(), 2u);
}

TEST(Store, DedupAcrossCallsAndAcrossReopen) {
  TempDir tmp;
  {
    auto store = OpenStore(tmp.path());
    std::vector<Event> first = {Track("m1", "u1", "", 1), Track("m2", "u1", "", 2)};
    ASSERT_TRUE(store->Append(first).ok());
    std::vector<Event> retry = {Track("m2", "u1", "", 2), Track("m3", "u1", "", 3)};
    auto r = store->Append(retry);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->accepted, 1u);
    EXPECT_EQ(r->duplicates, 1u);
    EXPECT_EQ(retry[0].seq, 0u);
    EXPECT_EQ(retry[1].seq, 3u);
  }
  auto store = OpenStore(tmp.path());
  std::vector<Event> again = {Track("m1", "u1", "", 1), Track("m3", "u1", "", 3),
                              Track("m4", "u1", "", 4)};
  auto r = store->Append(again);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->duplicates, 2u);
  EXPECT_EQ(again[2].seq, 4u);  // the sequence continues after reopen
  EXPECT_EQ(store->EventCount(), 4u);
  EXPECT_EQ(store->LastSeq(), 4u);
}

TEST(Store, EmptyMessageIdIsNeverADuplicate) {
  TempDir tmp;
  auto store = OpenStore(tmp.path());
  std::vector<Event> batch = {Track("", "u1", "", 1), Track("", "u1", "", 1)};
  auto r = store->Append(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 2u);
}

TEST(Store, ManyEventsDedupThroughTheHashSet) {
  TempDir tmp;
  auto store = OpenStore(tmp.path());
  std::vector<Event> batch;
  for (int i = 0; i < 5000; ++i) batch.push_back(Track("m" + std::to_string(i), "u", "", i));
  ASSERT_EQ(store->Append(batch)->accepted, 5000u);
  std::vector<Event> mixed;
  for (int i = 4000; i < 6000; ++i) mixed.push_back(Track("m" + std::to_string(i), "u", "", i));
  auto r = store->Append(mixed);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1000u);
  EXPECT_EQ(r->duplicates, 1000u);
  EXPECT_EQ(mixed[1000].seq, 5001u);
}

TEST(Store, SeqOrderSurvivesReopen) {
  TempDir tmp;
  for (int round = 0; round < 3; ++round) {
    auto store = OpenStore(tmp.path());
    std::vector<Event> batch;
    for (int i = 0; i < 10; ++i) {
      batch.push_back(Track("r" + std::to_string(round) + "-" + std::to_string(i), "u", "", 0));
    }
    ASSERT_TRUE(store->Append(batch).ok());
  }
  auto store = OpenStore(tmp.path());
  auto all = AllEvents(*store);
  ASSERT_EQ(all.size(), 30u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, i + 1);
    EXPECT_EQ(all[i].message_id, "r" + std::to_string(i / 10) + "-" + std::to_string(i % 10));
  }
}

TEST(Store, EventsOfOrdersByTimestampThenSeqAndKeepsTheLast) {
  TempDir tmp;
  auto store = OpenStore(tmp.path());
  std::vector<Event> batch = {Track("m1", "u1", "", 50), Track("m2", "", "a1", 10),
                              Track("m3", "u1", "", 10), Track("m4", "u2", "", 5),
                              Track("m5", "u1", "", 70)};
  ASSERT_TRUE(store->Append(batch).ok());
  auto events = store->EventsOf({"user:u1", "anon:a1"}, 0);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> ids;
  for (const auto& e : *events) ids.push_back(e.message_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"m2", "m3", "m1", "m5"}));
  auto last2 = store->EventsOf({"user:u1", "anon:a1"}, 2);
  ASSERT_EQ(last2->size(), 2u);
  EXPECT_EQ((*last2)[0].message_id, "m1");
  EXPECT_EQ((*last2)[1].seq, 5u);
  auto summary = store->SummaryOf({"user:u1", "anon:a1"});
  EXPECT_EQ(summary->count, 4u);
  EXPECT_EQ(summary->first_seen, 10);
  EXPECT_EQ(summary->last_seen, 70);
}

TEST(Store, HookRecordsAreInTheSameWriteAndAFailingHookWritesNothing) {
  TempDir tmp;
  auto store = OpenStore(tmp.path());
  std::vector<Event> batch = {Track("m1", "u1", "", 1)};
  auto r = store->Append(batch, [](const std::vector<Event>& events, Batch& b, AppendResult& res) {
    b.Put(Cf::kIdentities, "user:u1", std::to_string(events[0].seq));
    res.refused_merges.push_back("note");
    return Status::Ok();
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->refused_merges, std::vector<std::string>{"note"});
  EXPECT_EQ(store->db().Get(Cf::kIdentities, "user:u1")->value_or(""), "1");

  std::vector<Event> failing = {Track("m2", "u1", "", 2)};
  auto f = store->Append(failing, [](const std::vector<Event>&, Batch& b, AppendResult&) {
    b.Put(Cf::kIdentities, "user:u2", "x");
    return Status::Internal("boom");
  });
  EXPECT_FALSE(f.ok());
  EXPECT_FALSE(store->db().Get(Cf::kIdentities, "user:u2")->has_value());
  EXPECT_EQ(store->EventCount(), 1u);
  std::vector<Event> retry = {Track("m2", "u1", "", 2)};
  auto ok = store->Append(retry);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->accepted, 1u);  // m2 was not remembered by the failed append
  EXPECT_EQ(retry[0].seq, 2u);  // and its seq was not used up
}

// A child process appends and acknowledges batches, then dies without closing anything
// (_exit skips destructors, so no flush): the parent reopens and finds every acknowledged event.
TEST(Store, ReopenAfterCrashFindsEveryAcknowledgedEvent) {
  TempDir tmp;
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = Store::Open({tmp.path(), true});
    if (!store.ok()) _exit(1);
    for (int b = 0; b < 20; ++b) {
      std::vector<Event> batch;
      for (int i = 0; i < 100; ++i) {
        batch.push_back(Track("c" + std::to_string(b * 100 + i), "u" + std::to_string(i), "", i));
      }
      auto r = (*store)->Append(batch);
      if (!r.ok()) _exit(2);
      int acked = (b + 1) * 100;
      (void)!write(acks[1], &acked, sizeof acked);
    }
    _exit(0);  // the "crash": no Close, no destructor
  }
  close(acks[1]);
  int acked = 0, last = 0;
  while (read(acks[0], &acked, sizeof acked) == sizeof acked) last = acked;
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_EQ(last, 2000);

  auto store = OpenStore(tmp.path());
  auto all = AllEvents(*store);
  ASSERT_EQ(all.size(), 2000u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].message_id, "c" + std::to_string(i));
  EXPECT_EQ(store->EventCount(), 2000u);
  std::vector<Event> again = {Track("c1999", "u", "", 0)};
  EXPECT_EQ(store->Append(again)->duplicates, 1u);  // dedup state rebuilt from disk too
}

}  // namespace
}  // namespace signpost::store
