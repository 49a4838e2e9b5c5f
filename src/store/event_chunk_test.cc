#include "store/event_chunk.h"

#include <gtest/gtest.h>

#include "store/event_codec.h"
#include "store/test_util.h"

namespace signpost::store {
namespace {

TEST(EventChunk, RoundTripsRecordsAndReadsMessageIdsAlone) {
  ChunkWriter writer;
  Event a = testing::Track("m-a", "u1", "", 5);
  Event b = testing::Track("", "", "anon", -7);
  b.sent_at = 11;
  b.original_timestamp = 12;
  writer.Add(a);
  writer.Add(b);
  EXPECT_EQ(writer.count(), 2u);
  const std::string value(writer.value());
  std::vector<std::string_view> records;
  ASSERT_TRUE(SplitChunk(value, records));
  ASSERT_EQ(records.size(), 2u);
  Event out;
  ASSERT_TRUE(DecodeEvent(records[1], out));
  EXPECT_EQ(out.anonymous_id, "anon");
  EXPECT_EQ(out.timestamp, -7);
  EXPECT_EQ(out.original_timestamp, 12);
  std::string_view id;
  ASSERT_TRUE(DecodeMessageId(records[0], id));
  EXPECT_EQ(id, "m-a");
  ASSERT_TRUE(DecodeMessageId(records[1], id));  // with both optional times before it
  EXPECT_EQ(id, "");
}

TEST(EventChunk, RefusesMalformedValues) {
  ChunkWriter writer;
  writer.Add(testing::Track("m", "u", "", 1));
  const std::string value(writer.value());
  std::vector<std::string_view> records;
  EXPECT_FALSE(SplitChunk(value.substr(0, value.size() - 1), records));  // truncated
  EXPECT_FALSE(SplitChunk(value + "x", records));                        // trailing bytes
  EXPECT_FALSE(SplitChunk("", records));
  std::string_view id;
  EXPECT_FALSE(DecodeMessageId("\x01", id));
}

}  // namespace
}  // namespace signpost::store
