#include "store/message_id_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace signpost::store {
namespace {

std::vector<uint64_t> SeqsOf(const MessageIdIndex& index, uint64_t hash) {
  std::vector<uint64_t> seqs;
  index.ForEach(hash, [&](uint64_t seq) { seqs.push_back(seq); });
  return seqs;
}

// Whether `seq` is among the candidates for `hash`; `extra` counts the other candidates (false
// ones: ids whose hash shares the home slot and the fingerprint bits the slot keeps).
bool HasSeq(const MessageIdIndex& index, uint64_t hash, uint64_t seq, size_t& extra) {
  bool found = false;
  for (uint64_t s : SeqsOf(index, hash)) {
    if (s == seq) {
      found = true;
    } else {
      ++extra;
    }
  }
  return found;
}

TEST(MessageIdIndex, FindsTheSeqOfWhatWasInsertedThroughGrowth) {
  MessageIdIndex index;
  for (uint64_t i = 0; i < 100000; ++i)
    index.Insert(HashMessageId("id-" + std::to_string(i)), i + 1);
  EXPECT_EQ(index.size(), 100000u);
  size_t extra = 0;
  for (uint64_t i = 0; i < 100000; ++i) {
    ASSERT_TRUE(HasSeq(index, HashMessageId("id-" + std::to_string(i)), i + 1, extra)) << i;
  }
  EXPECT_LT(extra, 100u);
  size_t false_hits = 0;
  for (uint64_t i = 0; i < 100000; ++i) {
    false_hits += index.Contains(HashMessageId("other-" + std::to_string(i)));
  }
  // Fingerprints are 16 bits (fewer after doublings): a few false candidates, confirmed by the
  // caller against the stored event.
  EXPECT_LT(false_hits, 100u);
}

TEST(MessageIdIndex, ZeroHashCollisionsAndRepeats) {
  MessageIdIndex index;
  EXPECT_FALSE(index.Contains(0));
  index.Insert(0, 7);
  index.Insert(0, 7);
  EXPECT_TRUE(index.Contains(0));
  EXPECT_EQ(index.size(), 1u);
  index.Insert(0, 9);  // two message ids that share a hash: both kept
  EXPECT_EQ(SeqsOf(index, 0), (std::vector<uint64_t>{7, 9}));
  EXPECT_EQ(index.size(), 2u);
}

TEST(MessageIdIndex, RemoveKeepsEveryOtherEntryFindable) {
  MessageIdIndex index;
  constexpr uint64_t kN = 50000;
  for (uint64_t i = 0; i < kN; ++i) index.Insert(HashMessageId("id-" + std::to_string(i)), i + 1);
  // Colliding hashes too: the probe runs that backward shifting must keep intact.
  for (uint64_t i = 0; i < 64; ++i) index.Insert(5, 1000000 + i);
  for (uint64_t i = 0; i < kN; i += 3)
    index.Remove(HashMessageId("id-" + std::to_string(i)), i + 1);
  for (uint64_t i = 0; i < 64; i += 2) index.Remove(5, 1000000 + i);
  index.Remove(5, 42);  // absent: no effect
  EXPECT_EQ(index.size(), kN - (kN + 2) / 3 + 32);
  size_t extra = 0;
  for (uint64_t i = 0; i < kN; ++i) {
    const bool has = HasSeq(index, HashMessageId("id-" + std::to_string(i)), i + 1, extra);
    ASSERT_EQ(has, i % 3 != 0) << i;
  }
  EXPECT_LT(extra, 100u);
  std::vector<uint64_t> odd;
  for (uint64_t i = 1; i < 64; i += 2) odd.push_back(1000000 + i);
  auto kept = SeqsOf(index, 5);
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, odd);
}

// An entry loses one known fingerprint bit per doubling after its insert; from a table of 2 slots
// to 2^19 the first entries know none and are kept under both homes they may have.
TEST(MessageIdIndex, FindsEntriesThatOutlivedTheirFingerprintBits) {
  MessageIdIndex index(/*min_capacity_log2=*/1);
  constexpr uint64_t kN = 300000;
  for (uint64_t i = 0; i < kN; ++i) index.Insert(HashMessageId("id-" + std::to_string(i)), i + 1);
  EXPECT_GE(index.Capacity(), size_t{1} << 19);
  EXPECT_GE(index.size(), kN);  // plus the entries kept twice
  for (uint64_t i = 0; i < kN; ++i) {
    const auto seqs = SeqsOf(index, HashMessageId("id-" + std::to_string(i)));
    ASSERT_NE(std::find(seqs.begin(), seqs.end(), i + 1), seqs.end()) << i;
  }
  for (uint64_t i = 0; i < kN; i += 2)
    index.Remove(HashMessageId("id-" + std::to_string(i)), i + 1);
  for (uint64_t i = 0; i < kN; ++i) {
    const auto seqs = SeqsOf(index, HashMessageId("id-" + std::to_string(i)));
    const bool has = std::find(seqs.begin(), seqs.end(), i + 1) != seqs.end();
    ASSERT_EQ(has, i % 2 == 1) << i;
  }
}

// More entries with the same home than a slot can record the distance of: the rest overflow, and
// lookups, repeats and removals still see them.
TEST(MessageIdIndex, ManyHashesWithTheSameTopBitsOverflow) {
  MessageIdIndex index;
  constexpr uint64_t kN = 400;
  const uint64_t hash = 0xabcdef0123456789ULL;
  for (uint64_t i = 0; i < kN; ++i) index.Insert(hash, 100 + i);
  for (uint64_t i = 0; i < kN; ++i) index.Insert(hash, 100 + i);  // repeats: no effect
  EXPECT_EQ(index.size(), kN);
  auto seqs = SeqsOf(index, hash);
  std::sort(seqs.begin(), seqs.end());
  ASSERT_EQ(seqs.size(), kN);
  for (uint64_t i = 0; i < kN; ++i) EXPECT_EQ(seqs[i], 100 + i);
  for (uint64_t i = 0; i < kN; i += 2) index.Remove(hash, 100 + i);
  EXPECT_EQ(index.size(), kN / 2);
  // Growing rehomes the overflow too.
  for (uint64_t i = 0; i < 20000; ++i)
    index.Insert(HashMessageId("g-" + std::to_string(i)), 1000 + i);
  seqs = SeqsOf(index, hash);
  std::sort(seqs.begin(), seqs.end());
  ASSERT_EQ(seqs.size(), kN / 2);
  for (uint64_t i = 0; i < kN / 2; ++i) EXPECT_EQ(seqs[i], 101 + 2 * i);
  // A hash with the same home whose known fingerprint bits differ is not a candidate.
  EXPECT_FALSE(index.Contains(hash ^ (uint64_t{1} << 40)));
}

// 8 bytes a slot, at most 7/8 full; a lookup of an id never inserted rarely meets a candidate
// (its fingerprint is 16 bits, fewer for entries older than a doubling).
TEST(MessageIdIndex, EightBytesASlotAndFewFalseCandidates) {
  MessageIdIndex index;
  constexpr uint64_t kN = 200000;
  for (uint64_t i = 0; i < kN; ++i) index.Insert(HashMessageId("id-" + std::to_string(i)), i + 1);
  EXPECT_EQ(index.MemoryBytes(), index.Capacity() * 8);
  EXPECT_LE(index.size() * 8, index.Capacity() * 7);
  EXPECT_LE(index.MemoryBytes(), index.size() * 19);
  size_t candidates = 0;
  for (uint64_t i = 0; i < kN; ++i) {
    index.ForEach(HashMessageId("other-" + std::to_string(i)), [&](uint64_t) { ++candidates; });
  }
  EXPECT_LT(candidates, kN / 1000);
}

}  // namespace
}  // namespace signpost::store
