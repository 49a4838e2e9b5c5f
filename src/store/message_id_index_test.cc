#include "store/message_id_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
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
  // Keys are 39 bits: false candidates (confirmed by the caller against the stored event) are rare.
  EXPECT_LT(false_hits, 5u);
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

// Growth from a table of 2 home slots to over 300000: every entry keeps its key, so each one is
// found, and removals after growth find theirs.
TEST(MessageIdIndex, FindsEveryEntryThroughGrowthFromATinyTable) {
  MessageIdIndex index(/*min_capacity_log2=*/1);
  constexpr uint64_t kN = 300000;
  for (uint64_t i = 0; i < kN; ++i) index.Insert(HashMessageId("id-" + std::to_string(i)), i + 1);
  EXPECT_GE(index.Capacity(), kN);
  EXPECT_EQ(index.size(), kN);
  EXPECT_EQ(index.KeyBits(), 39);
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
  // A hash with the same home whose key differs is not a candidate.
  EXPECT_FALSE(index.Contains(hash ^ (uint64_t{1} << 30)));
}

// Packed slots of about 6 bytes, 3/4 to 9/10 full: 8 bytes or fewer per stored id at every size
// from 20000 ids on (below, the 128 spare slots at the end weigh), and a lookup of an id never
// inserted rarely meets a candidate (keys are 39 bits).
TEST(MessageIdIndex, AtMostEightBytesPerIdThroughGrowthAndFewFalseCandidates) {
  MessageIdIndex index;
  constexpr uint64_t kN = 200000;
  double most = 0;
  for (uint64_t i = 0; i < kN; ++i) {
    index.Insert(HashMessageId("id-" + std::to_string(i)), i + 1);
    if (i >= 20000) {
      most = std::max(most,
                      static_cast<double>(index.MemoryBytes()) / static_cast<double>(index.size()));
    }
  }
  EXPECT_LE(most, 8.0);
  EXPECT_LE(index.SlotBits(), 50);
  EXPECT_LE(index.size() * 10, index.Capacity() * 9);
  size_t candidates = 0;
  for (uint64_t i = 0; i < kN; ++i) {
    index.ForEach(HashMessageId("other-" + std::to_string(i)), [&](uint64_t) { ++candidates; });
  }
  EXPECT_LE(candidates, 2u);
}

// A pre-sized table (the rebuild at open) holds the same as one grown from empty, and shrinks to
// fit when the estimate was high.
TEST(MessageIdIndex, ReserveAndShrinkToFit) {
  MessageIdIndex index;
  index.Reserve(100000, 100000);
  const size_t homes = index.Capacity();
  for (uint64_t i = 0; i < 20000; ++i) index.Insert(HashMessageId("r-" + std::to_string(i)), i + 1);
  EXPECT_EQ(index.Capacity(), homes);  // no rebuild on the way
  index.ShrinkToFit();
  EXPECT_LT(index.Capacity(), homes / 3);
  EXPECT_EQ(index.size(), 20000u);
  for (uint64_t i = 0; i < 20000; ++i) {
    ASSERT_TRUE(index.Contains(HashMessageId("r-" + std::to_string(i)))) << i;
  }
}

// Random inserts, repeats, removals and lookups against a std::unordered_multimap, with hashes
// drawn so that many share their top bits (long runs, the overflow map), some share whole hashes,
// seqs up to 2^40 - 1 (wide slots; a tiny table then forgets key bits) and growth from 2 slots.
// Every stored pair is found; every candidate is a stored seq whose hash has the same key (the
// top KeyBits() bits) as the one looked up.
TEST(MessageIdIndex, AgreesWithAMultimapUnderAdversarialHashes) {
  for (int round = 0; round < 3; ++round) {
    std::mt19937_64 rng(1234 + round);
    MessageIdIndex index(/*min_capacity_log2=*/1);
    std::unordered_multimap<uint64_t, uint64_t> ref;  // hash -> seq
    std::vector<std::pair<uint64_t, uint64_t>> pairs;
    std::unordered_multimap<uint64_t, uint64_t> by_seq;  // seq -> hash, of the stored pairs
    const uint64_t prefixes[3] = {rng(), rng(), rng()};
    auto draw_hash = [&]() -> uint64_t {
      switch (rng() % 5) {
        case 0:  // the same top 30 bits as one of three prefixes
          return (prefixes[rng() % 3] & ~((uint64_t{1} << 34) - 1)) | (rng() >> 30);
        case 1:  // the same top 52 bits
          return (prefixes[rng() % 3] & ~uint64_t{4095}) | (rng() & 4095);
        case 2:
          return pairs.empty() ? rng() : pairs[rng() % pairs.size()].first;  // a whole hash again
        default:
          return rng();
      }
    };
    uint64_t next_seq = 1, next_big = MessageIdIndex::kMaxSeq;
    auto check = [&](uint64_t hash) {
      std::vector<uint64_t> got = SeqsOf(index, hash);
      std::sort(got.begin(), got.end());
      auto [b, e] = ref.equal_range(hash);
      for (auto it = b; it != e; ++it) {
        ASSERT_TRUE(std::binary_search(got.begin(), got.end(), it->second)) << hash;
      }
      const int k = index.KeyBits();
      for (uint64_t seq : got) {
        bool ok = false;
        auto [b2, e2] = by_seq.equal_range(seq);
        for (auto it = b2; it != e2; ++it)
          ok = ok || (it->second >> (64 - k)) == (hash >> (64 - k));
        ASSERT_TRUE(ok) << "candidate " << seq << " for " << hash;
      }
    };
    for (int step = 0; step < 6000; ++step) {
      const uint64_t op = rng() % 10;
      if (op < 5 || pairs.empty()) {
        const uint64_t hash = draw_hash();
        uint64_t seq = next_seq++;
        if (round == 2 && rng() % 4 == 0) seq = next_big--;  // one hash per seq, as in the store
        bool present = false;
        auto [b, e] = ref.equal_range(hash);
        for (auto it = b; it != e; ++it) present = present || it->second == seq;
        index.Insert(hash, seq);
        if (!present) {
          ref.emplace(hash, seq);
          by_seq.emplace(seq, hash);
          pairs.emplace_back(hash, seq);
        }
      } else if (op < 6) {
        const auto [hash, seq] = pairs[rng() % pairs.size()];
        index.Insert(hash, seq);  // a repeat: no effect
      } else if (op < 8) {
        const size_t at = rng() % pairs.size();
        const auto [hash, seq] = pairs[at];
        index.Remove(hash, seq);
        auto [b, e] = ref.equal_range(hash);
        for (auto it = b; it != e; ++it) {
          if (it->second == seq) {
            ref.erase(it);
            break;
          }
        }
        auto [b2, e2] = by_seq.equal_range(seq);
        for (auto it = b2; it != e2; ++it) {
          if (it->second == hash) {
            by_seq.erase(it);
            break;
          }
        }
        pairs[at] = pairs.back();
        pairs.pop_back();
        index.Remove(hash, seq);  // absent now: no effect
      } else {
        check(rng() % 2 ? draw_hash() : rng());
      }
      ASSERT_EQ(index.size(), ref.size());
    }
    for (const auto& [hash, seq] : pairs) check(hash);
    index.ShrinkToFit();
    for (const auto& [hash, seq] : pairs) check(hash);
  }
}

}  // namespace
}  // namespace signpost::store
