#include "journeys/partition.h"

#include <gtest/gtest.h>

#include <vector>

namespace signpost::journeys {
namespace {

TEST(PartitionOf, OnePartitionOwnsEveryone) {
  for (uint64_t p : {0ULL, 1ULL, 42ULL, ~0ULL}) {
    EXPECT_EQ(PartitionOf(p, 0), 0u);
    EXPECT_EQ(PartitionOf(p, 1), 0u);
  }
}

TEST(PartitionOf, IsPinned) {
  // Stored states are homed by this function: these values must never change.
  std::vector<uint32_t> got;
  for (uint64_t p = 1; p <= 8; ++p) got.push_back(PartitionOf(ProfileId(p), 8));
  EXPECT_EQ(got, (std::vector<uint32_t>{3, 0, 4, 7, 3, 5, 7, 5}));
  EXPECT_EQ(PartitionOf(1'000'003, 2), 0u);
}

TEST(PartitionOf, InRangeAndBalanced) {
  for (uint32_t n : {2u, 3u, 8u, 16u}) {
    std::vector<uint64_t> count(n, 0);
    const uint64_t profiles = 200'000;
    for (uint64_t p = 1; p <= profiles; ++p) {
      uint32_t k = PartitionOf(p, n);
      ASSERT_LT(k, n);
      ++count[k];
    }
    for (uint64_t c : count) {
      EXPECT_GT(c, profiles / n * 95 / 100) << n;
      EXPECT_LT(c, profiles / n * 105 / 100) << n;
    }
  }
}

TEST(PartitionOf, GrowingMovesOnlyToTheNewPartition) {
  // n -> n + 1: a profile stays or moves to partition n, and about 1/(n + 1) of them move.
  for (uint32_t n : {1u, 2u, 7u}) {
    uint64_t moved = 0;
    const uint64_t profiles = 100'000;
    for (uint64_t p = 1; p <= profiles; ++p) {
      uint32_t before = PartitionOf(p, n), after = PartitionOf(p, n + 1);
      if (before != after) {
        EXPECT_EQ(after, n);
        ++moved;
      }
    }
    EXPECT_NEAR(static_cast<double>(moved) / profiles, 1.0 / (n + 1), 0.01) << n;
  }
}

}  // namespace
}  // namespace signpost::journeys
