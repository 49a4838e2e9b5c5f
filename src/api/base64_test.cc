#include "api/base64.h"

#include <gtest/gtest.h>

namespace signpost::api {
namespace {

TEST(Base64, DecodesWriteKeyWithEmptyPassword) {
  std::string out;
  ASSERT_TRUE(Base64Decode("d2tfMTIzOg==", out));  // "wk_123:"
  EXPECT_EQ(out, "wk_123:");
}

TEST(Base64, DecodesWithoutPadding) {
  std::string out;
  ASSERT_TRUE(Base64Decode("YWJj", out));
  EXPECT_EQ(out, "abc");
  ASSERT_TRUE(Base64Decode("YWI", out));
  EXPECT_EQ(out, "ab");
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  std::string out;
  EXPECT_FALSE(Base64Decode("YW*j", out));
}

}  // namespace
}  // namespace signpost::api
