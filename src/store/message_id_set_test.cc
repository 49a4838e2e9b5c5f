#include "store/message_id_set.h"

#include <gtest/gtest.h>

#include <string>

namespace signpost::store {
namespace {

TEST(MessageIdSet, ContainsWhatWasInsertedThroughGrowth) {
  MessageIdSet set;
  for (uint64_t i = 0; i < 100000; ++i) set.Insert(HashMessageId("id-" + std::to_string(i)));
  EXPECT_EQ(set.size(), 100000u);
  for (uint64_t i = 0; i < 100000; ++i) {
    ASSERT_TRUE(set.Contains(HashMessageId("id-" + std::to_string(i)))) << i;
  }
  size_t false_hits = 0;
  for (uint64_t i = 0; i < 100000; ++i) {
    false_hits += set.Contains(HashMessageId("other-" + std::to_string(i)));
  }
  EXPECT_EQ(false_hits, 0u);  // 64-bit hashes: a collision here would be astonishing
}

TEST(MessageIdSet, ZeroHashAndRepeats) {
  MessageIdSet set;
  EXPECT_FALSE(set.Contains(0));
  set.Insert(0);
  set.Insert(0);
  EXPECT_TRUE(set.Contains(0));
  EXPECT_EQ(set.size(), 1u);
}

}  // namespace
}  // namespace signpost::store
