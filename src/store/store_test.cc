// Append, dedup, sequence numbers, scans and crash durability of the event store.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "store/coding.h"
#include "store/db.h"
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
  EXPECT_TRUE(store
                  .ScanEvents(after,
                              [&](const Event& e) {
                                out.push_back(e);
                                return true;
                              })
                  .ok());
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

std::vector<Event> Numbered(const std::string& prefix, int from, int to) {
  std::vector<Event> batch;
  for (int i = from; i < to; ++i) {
    batch.push_back(Track(prefix + std::to_string(i), "u" + std::to_string(i % 7), "", i));
  }
  return batch;
}

// 600 events in one append fill chunks of 256, 256 and 88; a scan may start anywhere in them.
TEST(Store, ScansFromEveryPositionAcrossChunkBoundaries) {
  TempDir tmp;
  {
    auto store = OpenStore(tmp.path());
    auto batch = Numbered("m", 0, 600);
    ASSERT_EQ(store->Append(batch)->accepted, 600u);
    std::vector<Event> one = {Track("m600", "u", "", 600)};
    ASSERT_EQ(store->Append(one)->accepted, 1u);  // a chunk of its own
    for (uint64_t after : {0, 1, 254, 255, 256, 257, 511, 512, 513, 599, 600, 601, 700}) {
      auto all = AllEvents(*store, after);
      ASSERT_EQ(all.size(), after >= 601 ? 0u : 601 - after) << after;
      for (size_t i = 0; i < all.size(); ++i) {
        ASSERT_EQ(all[i].seq, after + 1 + i);
        ASSERT_EQ(all[i].message_id, "m" + std::to_string(after + i));
      }
    }
  }
  auto store = OpenStore(tmp.path());
  EXPECT_EQ(store->EventCount(), 601u);
  EXPECT_EQ(store->LastSeq(), 601u);
  auto next = Numbered("n", 0, 1);
  ASSERT_TRUE(store->Append(next).ok());
  EXPECT_EQ(next[0].seq, 602u);
  // A scan that stops early stops.
  size_t seen = 0;
  ASSERT_TRUE(store->ScanEvents(100, [&](const Event&) { return ++seen < 300; }).ok());
  EXPECT_EQ(seen, 300u);
}

// One person's events spread over many chunks of several appends, stored out of time order.
TEST(Store, EventsOfAPersonSpanningChunksAndAppends) {
  TempDir tmp;
  auto store = OpenStore(tmp.path());
  std::vector<std::string> expected;  // the person's message ids by (timestamp, seq)
  for (int round = 0; round < 3; ++round) {
    std::vector<Event> batch;
    for (int i = 0; i < 700; ++i) {
      const bool mine = i % 97 == 0;
      const std::string id = "r" + std::to_string(round) + "-" + std::to_string(i);
      // Later rounds carry earlier timestamps, so time order differs from seq order.
      batch.push_back(Track(id, mine ? "me" : "other" + std::to_string(i),
                            mine && i % 2 ? "a-me" : "", (3 - round) * 10000 + i));
    }
    ASSERT_TRUE(store->Append(batch).ok());
  }
  for (int round = 2; round >= 0; --round) {
    for (int i = 0; i < 700; i += 97)
      expected.push_back("r" + std::to_string(round) + "-" + std::to_string(i));
  }
  auto events = store->EventsOf({"user:me"}, 0);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  std::vector<std::string> got;
  for (const auto& e : *events) got.push_back(e.message_id);
  EXPECT_EQ(got, expected);
  for (size_t i = 1; i < events->size(); ++i) {
    EXPECT_LE((*events)[i - 1].timestamp, (*events)[i].timestamp);
  }
  auto last5 = store->EventsOf({"user:me"}, 5);
  ASSERT_EQ(last5->size(), 5u);
  EXPECT_EQ((*last5)[4].message_id, expected.back());
  EXPECT_EQ((*last5)[0].message_id, expected[expected.size() - 5]);
  for (const auto& e : *last5) {
    auto check = AllEvents(*store, e.seq - 1);  // the seq names the same stored event
    EXPECT_EQ(check.front().message_id, e.message_id);
  }
  auto summary = store->SummaryOf({"user:me"});
  EXPECT_EQ(summary->count, expected.size());
  EXPECT_EQ(summary->first_seen, 10000);
  EXPECT_EQ(summary->last_seen, 30000 + 679);
  EXPECT_EQ(store->EventsOf({"user:nobody"}, 0)->size(), 0u);
}

// Dedup of large batches across reopen: the hash table is rebuilt from the hash log and hits are
// confirmed by reading the stored events' chunks.
TEST(Store, DedupOfLargeBatchesAcrossReopen) {
  TempDir tmp;
  {
    auto store = OpenStore(tmp.path());
    auto batch = Numbered("m", 0, 1000);
    batch.push_back(Track("", "u", "", 1));  // no message id: never a duplicate
    ASSERT_EQ(store->Append(batch)->accepted, 1001u);
  }
  auto store = OpenStore(tmp.path());
  auto batch = Numbered("m", 500, 1500);
  batch.push_back(Track("", "u", "", 1));
  auto r = store->Append(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 500u);
  EXPECT_EQ(r->accepted, 501u);
  for (size_t i = 0; i < 500; ++i) EXPECT_EQ(batch[i].seq, 0u);
  EXPECT_EQ(batch[500].seq, 1002u);
  auto all = AllEvents(*store);
  ASSERT_EQ(all.size(), 1502u);
  std::set<std::string> ids;
  for (const auto& e : all) {
    if (!e.message_id.empty()) {
      EXPECT_TRUE(ids.insert(e.message_id).second) << e.message_id;
    }
  }
  EXPECT_EQ(ids.size(), 1500u);
}

// A crash (no close, no flush) after appends of several chunks each: every acknowledged event is
// there, dedup and the sequence continue from them.
TEST(Store, CrashAfterMultiChunkAppendsKeepsEventsDedupAndSeq) {
  TempDir tmp;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = Store::Open({tmp.path(), true});
    if (!store.ok()) _exit(1);
    for (int b = 0; b < 4; ++b) {
      auto batch = Numbered("c", b * 300, (b + 1) * 300);
      if (!(*store)->Append(batch).ok()) _exit(2);
    }
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto store = OpenStore(tmp.path());
  EXPECT_EQ(store->EventCount(), 1200u);
  auto all = AllEvents(*store);
  ASSERT_EQ(all.size(), 1200u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].message_id, "c" + std::to_string(i));
  auto again = Numbered("c", 0, 1300);
  auto r = store->Append(again);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 1200u);
  EXPECT_EQ(r->accepted, 100u);
  EXPECT_EQ(again[1200].seq, 1201u);
  EXPECT_EQ(store->EventsOf({"user:u3"}, 0)->size(), 1300u / 7 + 1);
}

std::vector<std::string> MessageIdsOf(const Store& store, const std::string& identity) {
  std::vector<std::string> ids;
  auto events = store.EventsOf({identity}, 0);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  if (events.ok()) {
    for (const auto& e : *events) ids.push_back(e.message_id);
  }
  return ids;
}

// The per-identity index through in-memory entries, their flushes (every `flush` events), a crash
// (no flush at close) and reopens with other flush sizes: each event is listed exactly once, in
// (timestamp, seq) order.
TEST(Store, IdentityIndexThroughFlushesCrashAndReopen) {
  for (size_t flush : {size_t{1}, size_t{150}, size_t{1000}, size_t{5000}}) {
    SCOPED_TRACE(flush);
    TempDir tmp;
    std::vector<std::string> expected;
    auto batch_of = [&](int b) {
      std::vector<Event> batch;
      for (int i = 0; i < 300; ++i) {
        const bool mine = i % 7 == 0;
        const std::string id = "b" + std::to_string(b) + "-" + std::to_string(i);
        batch.push_back(Track(id, mine ? "me" : "o" + std::to_string(i), "", 1000 * (10 - b) + i));
      }
      return batch;
    };
    for (int b = 5; b >= 0; --b) {
      for (int i = 0; i < 300; i += 7)
        expected.push_back("b" + std::to_string(b) + "-" + std::to_string(i));
    }
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto store = Store::Open({tmp.path(), true, flush});
      if (!store.ok()) _exit(1);
      for (int b = 0; b < 5; ++b) {
        auto batch = batch_of(b);
        if (!(*store)->Append(batch).ok()) _exit(2);
      }
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    {
      auto opened = Store::Open({tmp.path(), true, flush});
      ASSERT_TRUE(opened.ok());
      auto& store = **opened;
      auto batch = batch_of(5);
      ASSERT_EQ(store.Append(batch)->accepted, 300u);
      EXPECT_EQ(MessageIdsOf(store, "user:me"), expected);
      EXPECT_EQ(store.SummaryOf({"user:me"})->count, expected.size());
      EXPECT_EQ(MessageIdsOf(store, "user:o1"),
                (std::vector<std::string>{"b5-1", "b4-1", "b3-1", "b2-1", "b1-1", "b0-1"}));
    }
    auto reopened = Store::Open({tmp.path(), true, 7});
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(MessageIdsOf(**reopened, "user:me"), expected);
    auto more = batch_of(6);
    ASSERT_EQ((*reopened)->Append(more)->accepted, 300u);
    EXPECT_EQ(MessageIdsOf(**reopened, "user:me").size(), expected.size() + 43);
  }
}

// Appends batch `b`: 100 events at times 1000 * b + i, every fifth by user "me" (their message
// ids added to `mine`).
Result<AppendResult> AppendBatch(Store& store, int b, std::vector<std::string>& mine) {
  std::vector<Event> batch;
  for (int i = 0; i < 100; ++i) {
    const std::string id = std::to_string(b) + "-" + std::to_string(i);
    const bool me = i % 5 == 0;
    if (me) mine.push_back(id);
    batch.push_back(Track(id, me ? "me" : "o" + std::to_string(i), "", 1000 * b + i));
  }
  return store.Append(batch);
}

// A crash after an index flush's file was added but before its "indexed through" seq was written
// (simulated by putting an older seq back): the next open re-indexes entries that are also
// stored, and every reader still lists each event once, through later flushes and reopens. A
// flush file left half written is removed at open.
TEST(Store, IndexFileWithoutItsSeqListsEachEventOnce) {
  TempDir tmp;
  std::vector<std::string> expected;
  auto append = [&](Store& store, int b) {
    ASSERT_EQ(AppendBatch(store, b, expected)->accepted, 100u);
  };
  {
    auto store = Store::Open({tmp.path(), true, 150});
    ASSERT_TRUE(store.ok());
    for (int b = 0; b < 4; ++b) append(**store, b);  // index flushes before batch 2, at close
  }
  {
    auto db = Db::Open({tmp.path(), true});
    ASSERT_TRUE(db.ok());
    Batch batch = (*db)->NewBatch();
    batch.Put(Cf::kMeta, "events.indexed_through", U64Key(50));  // as before the flushes
    ASSERT_TRUE((*db)->Write(batch).ok());
  }
  std::ofstream(tmp.path() + "/9.ingest.tmp") << "half a file";
  for (size_t flush : {size_t{150}, size_t{1000}}) {
    auto store = Store::Open({tmp.path(), true, flush});
    ASSERT_TRUE(store.ok());
    EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/9.ingest.tmp"));
    EXPECT_EQ(MessageIdsOf(**store, "user:me"), expected);
    EXPECT_EQ((*store)->SummaryOf({"user:me"})->count, expected.size());
    append(**store, 10 + static_cast<int>(flush));
    EXPECT_EQ(MessageIdsOf(**store, "user:me"), expected);
  }
}

// An index flush that fails (its file cannot be made: a folder holds its name) keeps its entries
// in memory, fails the append that finds out, and the next flush writes them: every event listed
// once, before and after a reopen.
TEST(Store, FailedIndexFlushKeepsItsEntries) {
  TempDir tmp;
  std::vector<std::string> expected;
  auto append = [&](Store& store, int b) { return AppendBatch(store, b, expected); };
  {
    auto store = Store::Open({tmp.path(), true, 100});
    ASSERT_TRUE(store.ok());
    std::filesystem::create_directories(tmp.path() + "/1.ingest.tmp/in-the-way");
    ASSERT_TRUE(append(**store, 0).ok());
    ASSERT_TRUE(append(**store, 1).ok());  // starts the first flush, which fails
    const size_t kept = expected.size();
    auto failed = append(**store, 2);  // finds out: refused, nothing of it stored
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), Code::kIoError) << failed.status().ToString();
    expected.resize(kept);
    EXPECT_EQ(MessageIdsOf(**store, "user:me"), expected);
    std::filesystem::remove_all(tmp.path() + "/1.ingest.tmp");
    ASSERT_TRUE(append(**store, 3).ok());  // the second flush writes the first one's entries too
    ASSERT_TRUE(append(**store, 4).ok());
    EXPECT_EQ(MessageIdsOf(**store, "user:me"), expected);
  }
  auto reopened = Store::Open({tmp.path(), true, 100});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(MessageIdsOf(**reopened, "user:me"), expected);
  EXPECT_EQ((*reopened)->SummaryOf({"user:me"})->count, expected.size());
}

// Readers running while appends cross index flushes never see an event twice or lose one.
TEST(Store, ReadersDuringIndexFlushesSeeEachEventOnce) {
  TempDir tmp;
  auto opened = Store::Open({tmp.path(), false, 250});
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int b = 0; b < 40; ++b) {
      std::vector<Event> batch;
      for (int i = 0; i < 100; ++i) {
        batch.push_back(Track("w" + std::to_string(b * 100 + i), i % 2 ? "me" : "other", "", b));
      }
      EXPECT_TRUE(store.Append(batch).ok());
    }
    done = true;
  });
  uint64_t last = 0;
  while (!done) {
    auto events = store.EventsOf({"user:me"}, 0);
    ASSERT_TRUE(events.ok());
    std::set<uint64_t> seqs;
    for (const auto& e : *events) {
      EXPECT_EQ(e.user_id, "me");
      EXPECT_TRUE(seqs.insert(e.seq).second) << "seq " << e.seq << " listed twice";
    }
    EXPECT_EQ(events->size() % 50, 0u);  // whole appends only
    EXPECT_GE(events->size(), last);
    last = events->size();
  }
  writer.join();
  EXPECT_EQ(store.SummaryOf({"user:me"})->count, 2000u);
}

}  // namespace
}  // namespace signpost::store
