#include "store/event_codec.h"

#include <gtest/gtest.h>

namespace signpost::store {
namespace {

Event FullEvent() {
  Event e;
  e.type = EventType::kAlias;
  e.message_id = "m-1";
  e.user_id = "u-1";
  e.anonymous_id = "a-1";
  e.event = "Signed Up";
  e.previous_id = "a-0";
  e.group_id = "g-9";
  e.timestamp = 1700000000123;
  e.received_at = 1700000000456;
  e.sent_at = 1700000000400;
  e.original_timestamp = -7;
  e.properties = R"({"price":9.5})";
  e.traits = R"({"plan":"pro"})";
  e.context = R"({"ip":"1.2.3.4"})";
  e.integrations = "{}";
  return e;
}

void ExpectSame(const Event& a, const Event& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.message_id, b.message_id);
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.anonymous_id, b.anonymous_id);
  EXPECT_EQ(a.event, b.event);
  EXPECT_EQ(a.previous_id, b.previous_id);
  EXPECT_EQ(a.group_id, b.group_id);
  EXPECT_EQ(a.timestamp, b.timestamp);
  EXPECT_EQ(a.received_at, b.received_at);
  EXPECT_EQ(a.sent_at, b.sent_at);
  EXPECT_EQ(a.original_timestamp, b.original_timestamp);
  EXPECT_EQ(a.properties, b.properties);
  EXPECT_EQ(a.traits, b.traits);
  EXPECT_EQ(a.context, b.context);
  EXPECT_EQ(a.integrations, b.integrations);
}

TEST(EventCodec, RoundTripsEveryField) {
  const Event in = FullEvent();
  std::string bytes;
  EncodeEvent(in, bytes);
  Event out;
  out.sent_at = 1;  // must be cleared when absent, set when present
  ASSERT_TRUE(DecodeEvent(bytes, out));
  ExpectSame(in, out);
}

TEST(EventCodec, AbsentOptionalsAndEmptyObjects) {
  Event in;
  in.message_id = "m";
  in.anonymous_id = "a";
  std::string bytes;
  EncodeEvent(in, bytes);
  Event out;
  out.sent_at = 5;
  out.original_timestamp = 6;
  ASSERT_TRUE(DecodeEvent(bytes, out));
  ExpectSame(in, out);
  EXPECT_FALSE(out.sent_at.has_value());
  EXPECT_EQ(out.properties, "{}");
  EXPECT_LT(bytes.size(), 20u);  // compact: four "{}" cost a byte each
}

TEST(EventCodec, RejectsTruncatedAndUnknown) {
  std::string bytes;
  EncodeEvent(FullEvent(), bytes);
  Event out;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeEvent(std::string_view(bytes).substr(0, n), out)) << n;
  }
  std::string bad_type = bytes;
  bad_type[1] = 42;
  EXPECT_FALSE(DecodeEvent(bad_type, out));
  std::string bad_version = bytes;
  bad_version[0] = 9;
  EXPECT_FALSE(DecodeEvent(bad_version, out));
  EXPECT_FALSE(DecodeEvent(bytes + "x", out));
}

}  // namespace
}  // namespace signpost::store
