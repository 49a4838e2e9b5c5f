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

TEST(MessageIdIndex, FindsTheSeqOfWhatWasInsertedThroughGrowth) {
  MessageIdIndex index;
  for (uint64_t i = 0; i < 100000; ++i)
    index.Insert(HashMessageId("id-" + std::to_string(i)), i + 1);
  EXPECT_EQ(index.size(), 100000u);
  for (uint64_t i = 0; i < 100000; ++i) {
    ASSERT_EQ(SeqsOf(index, HashMessageId("id-" + std::to_string(i))), std::vector<uint64_t>{i + 1})
        << i;
  }
  size_t false_hits = 0;
  for (uint64_t i = 0; i < 100000; ++i) {
    false_hits += index.Contains(HashMessageId("other-" + std::to_string(i)));
  }
  EXPECT_EQ(false_hits, 0u);  // 64-bit hashes: a collision here would be astonishing
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
  for (uint64_t i = 0; i < kN; ++i) {
    const auto seqs = SeqsOf(index, HashMessageId("id-" + std::to_string(i)));
    if (i % 3 == 0) {
      ASSERT_TRUE(seqs.empty()) << i;
    } else {
      ASSERT_EQ(seqs, std::vector<uint64_t>{i + 1}) << i;
    }
  }
  std::vector<uint64_t> odd;
  for (uint64_t i = 1; i < 64; i += 2) odd.push_back(1000000 + i);
  auto kept = SeqsOf(index, 5);
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, odd);
}

}  // namespace
}  // namespace signpost::store
