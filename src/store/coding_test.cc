#include "store/coding.h"

#include <gtest/gtest.h>

#include <limits>

namespace signpost::store {
namespace {

TEST(Coding, Fixed64SortsNumerically) {
  EXPECT_LT(U64Key(255), U64Key(256));
  EXPECT_LT(U64Key(1), U64Key(uint64_t{1} << 40));
  const std::string k = U64Key(0x0102030405060708ULL);
  EXPECT_EQ(DecodeFixed64BE(k.data()), 0x0102030405060708ULL);
}

TEST(Coding, OrderedTimeSortsNegativesFirst) {
  std::string a, b, c;
  PutOrderedTime(a, -5);
  PutOrderedTime(b, 0);
  PutOrderedTime(c, 1700000000000);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(DecodeOrderedTime(a.data()), -5);
  EXPECT_EQ(DecodeOrderedTime(c.data()), 1700000000000);
}

TEST(Coding, VarintsRoundTrip) {
  std::string out;
  const uint64_t values[] = {0, 1, 127, 128, 300, std::numeric_limits<uint64_t>::max()};
  for (uint64_t v : values) PutVarint64(out, v);
  PutSignedVarint64(out, -1);
  PutSignedVarint64(out, std::numeric_limits<int64_t>::min());
  std::string_view in = out;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(in, got));
    EXPECT_EQ(got, v);
  }
  int64_t s = 0;
  ASSERT_TRUE(GetSignedVarint64(in, s));
  EXPECT_EQ(s, -1);
  ASSERT_TRUE(GetSignedVarint64(in, s));
  EXPECT_EQ(s, std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(in.empty());
}

TEST(Coding, LengthPrefixedRejectsTruncation) {
  std::string out;
  PutLengthPrefixed(out, std::string("a\0b", 3));
  std::string_view in = out, s;
  ASSERT_TRUE(GetLengthPrefixed(in, s));
  EXPECT_EQ(s, std::string_view("a\0b", 3));
  std::string_view cut = std::string_view(out).substr(0, out.size() - 1);
  EXPECT_FALSE(GetLengthPrefixed(cut, s));
}

}  // namespace
}  // namespace signpost::store
