// Erasing events (holes in chunks, dedup, per-identity index, counts) and Purge: after it, not one
// byte of an erased event is left in any file of the data folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/test_util.h"

namespace signpost::store {
namespace {

using testing::TempDir;
using testing::Track;

std::unique_ptr<Store> OpenErasable(const std::string& dir, size_t index_flush_events = 1 << 18) {
  auto store = Store::Open({dir, true, index_flush_events});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<uint64_t> Seqs(const Store& store) {
  std::vector<uint64_t> out;
  EXPECT_TRUE(store
                  .ScanEvents(0,
                              [&](const Event& e) {
                                out.push_back(e.seq);
                                return true;
                              })
                  .ok());
  return out;
}

// Seqs of the events of userId `user`.
std::vector<uint64_t> UserSeqs(const Store& store, const std::string& user) {
  auto events = store.EventsOf({"user:" + user}, 0);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  std::vector<uint64_t> out;
  if (events.ok()) {
    for (const Event& e : *events) out.push_back(e.seq);
  }
  return out;
}

// Files of `dir` (recursively) whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) hits.push_back(entry.path().filename().string());
  }
  return hits;
}

TEST(EraseEvents, HolesKeepSeqsAndEveryReaderSkipsThem) {
  for (size_t flush : {size_t{1}, size_t{1} << 18}) {  // index records stored / kept in memory
    TempDir dir;
    auto store = OpenErasable(dir.path(), flush);
    std::vector<Event> batch;
    for (int i = 1; i <= 600; ++i) {  // three chunks: 256, 256, 88
      batch.push_back(Track("m" + std::to_string(i), i % 2 ? "odd" : "even", "", 1000 + i));
    }
    ASSERT_TRUE(store->Append(batch).ok());
    std::vector<uint64_t> gone = {1, 3, 257, 599, 600};
    uint64_t erased = 0;
    ASSERT_TRUE(store->EraseEvents(gone, {}, &erased).ok());
    EXPECT_EQ(erased, 5u);
    EXPECT_EQ(store->EventCount(), 595u);
    EXPECT_EQ(store->LastSeq(), 600u);
    auto seqs = Seqs(*store);
    EXPECT_EQ(seqs.size(), 595u);
    EXPECT_EQ(seqs.front(), 2u);
    EXPECT_EQ(seqs.back(), 598u);
    EXPECT_EQ(UserSeqs(*store, "odd").size(), 300u - 4);   // 1, 3, 257, 599
    EXPECT_EQ(UserSeqs(*store, "even").size(), 300u - 1);  // 600
    auto summary = store->SummaryOf({"user:even"});
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->count, 299u);
    EXPECT_EQ(summary->last_seen, 1598);

    // Idempotent; unknown and zero seqs are skipped.
    ASSERT_TRUE(store->EraseEvents(std::vector<uint64_t>{1, 3, 0, 9999}, {}, &erased).ok());
    EXPECT_EQ(erased, 0u);
    EXPECT_EQ(store->EventCount(), 595u);

    // An erased message id is accepted again (the erased event does not confirm a duplicate);
    // a kept one is still a duplicate; new seqs continue after the holes.
    std::vector<Event> again = {Track("m1", "odd", "", 5000), Track("m2", "even", "", 5001)};
    auto r = store->Append(again);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->accepted, 1u);
    EXPECT_EQ(again[0].seq, 601u);
    EXPECT_EQ(again[1].seq, 0u);

    // The same after a reopen (count, dedup, index rebuilt from the stored records).
    store.reset();
    store = OpenErasable(dir.path(), flush);
    EXPECT_EQ(store->EventCount(), 596u);
    EXPECT_EQ(store->LastSeq(), 601u);
    EXPECT_EQ(Seqs(*store).size(), 596u);
    EXPECT_EQ(UserSeqs(*store, "odd").size(), 297u);
    std::vector<Event> dup = {Track("m3", "odd", "", 5002), Track("m4", "even", "", 5003)};
    r = store->Append(dup);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->accepted, 1u);  // m3 was erased, m4 is stored
    EXPECT_EQ(dup[0].seq, 602u);
  }
}

TEST(EraseEvents, AWholeChunkAndAllOfAnIdentity) {
  TempDir dir;
  auto store = OpenErasable(dir.path(), 1);
  std::vector<Event> first = {Track("a", "gone", "", 1), Track("b", "gone", "", 2)};
  std::vector<Event> second = {Track("c", "kept", "", 3)};
  ASSERT_TRUE(store->Append(first).ok());
  ASSERT_TRUE(store->Append(second).ok());
  ASSERT_TRUE(store->EraseEvents(std::vector<uint64_t>{1, 2}).ok());
  EXPECT_TRUE(UserSeqs(*store, "gone").empty());
  EXPECT_EQ(store->EventCount(), 1u);
  store.reset();
  store = OpenErasable(dir.path(), 1);
  EXPECT_EQ(Seqs(*store), std::vector<uint64_t>{3});
  EXPECT_EQ(store->LastSeq(), 3u);  // the emptied chunk still holds its seqs
  EXPECT_TRUE(UserSeqs(*store, "gone").empty());
}

TEST(EraseEvents, AHookAddsToTheSameWriteAndCanAbortIt) {
  TempDir dir;
  auto store = OpenErasable(dir.path());
  std::vector<Event> batch = {Track("a", "u", "", 1), Track("b", "u", "", 2)};
  ASSERT_TRUE(store->Append(batch).ok());
  auto refuse = [](const std::vector<Event>&, Batch&) { return Status::Internal("no"); };
  EXPECT_FALSE(store->EraseEvents(std::vector<uint64_t>{1}, refuse).ok());
  EXPECT_EQ(store->EventCount(), 2u);
  std::vector<uint64_t> seen;
  auto note = [&](const std::vector<Event>& erased, Batch& b) {
    for (const Event& e : erased) seen.push_back(e.seq);
    b.Put(Cf::kMeta, "test.note", "x");
    return Status::Ok();
  };
  ASSERT_TRUE(store->EraseEvents(std::vector<uint64_t>{1, 2}, note).ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2}));
  auto note_value = store->db().Get(Cf::kMeta, "test.note");
  ASSERT_TRUE(note_value.ok());
  EXPECT_TRUE(note_value->has_value());
}

TEST(EraseEvents, PurgeLeavesNoByteOfTheErasedEventsInAnyFile) {
  TempDir dir;
  const std::string secret = "zq-secret-person-7f3a9c";
  const std::string secret_prop = "zq-secret-prop-41b2e8";
  {
    auto store = OpenErasable(dir.path(), 64);
    // Several appends and flushes, so the secret lands in WALs, SSTs of several levels and stored
    // index records; the other events surround it.
    for (int round = 0; round < 4; ++round) {
      std::vector<Event> batch;
      for (int i = 0; i < 300; ++i) {
        Event e = Track("r" + std::to_string(round) + "-" + std::to_string(i),
                        "other-" + std::to_string(i % 17), "", 10000 * round + i);
        if (i % 50 == 7) {
          e.user_id = secret;
          e.message_id = secret + "-msg-" + std::to_string(round * 1000 + i);
          e.properties = R"({"note":")" + secret_prop + R"("})";
        }
        batch.push_back(std::move(e));
      }
      ASSERT_TRUE(store->Append(batch).ok());
      ASSERT_TRUE(store->Purge().ok());  // also pushes the data into SSTs
    }
    ASSERT_FALSE(FilesContaining(dir.path(), secret).empty());
    std::vector<uint64_t> gone = UserSeqs(*store, secret);
    ASSERT_EQ(gone.size(), 24u);
    ASSERT_TRUE(store->EraseEvents(gone).ok());
    ASSERT_TRUE(store->Purge().ok());
    EXPECT_EQ(FilesContaining(dir.path(), secret), std::vector<std::string>{});
    EXPECT_EQ(FilesContaining(dir.path(), secret_prop), std::vector<std::string>{});
    EXPECT_EQ(store->EventCount(), 1200u - 24);
  }
  // Everything else intact after a reopen; and the folder is still clean after the close.
  auto store = OpenErasable(dir.path(), 64);
  EXPECT_EQ(store->EventCount(), 1176u);
  auto seqs = Seqs(*store);
  EXPECT_EQ(seqs.size(), 1176u);
  size_t other3 = 0;  // events of other-3: i % 17 == 3 and not one of the secret's
  for (int i = 0; i < 300; ++i) other3 += (i % 17 == 3 && i % 50 != 7) ? 4 : 0;
  EXPECT_EQ(UserSeqs(*store, "other-3").size(), other3);
  EXPECT_TRUE(UserSeqs(*store, secret).empty());
  store.reset();
  EXPECT_EQ(FilesContaining(dir.path(), secret), std::vector<std::string>{});
}

}  // namespace
}  // namespace signpost::store
