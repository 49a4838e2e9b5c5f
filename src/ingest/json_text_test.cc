#include "ingest/json_text.h"

#include <gtest/gtest.h>

namespace signpost::ingest {
namespace {

TEST(AppendJsonString, EscapesWhatJsonRequires) {
  std::string out;
  AppendJsonString(std::string("a\"b\\c\n\t\x01\x1f é", 12), out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f é\"");
}

TEST(IsJsonNumber, Grammar) {
  for (const char* yes : {"0", "-0", "12", "-12.5", "1e3", "1E+3", "2.5e-7", "18446744073709551615",
                          "-9223372036854775808", "18446744073709551616.0", "1e20"}) {
    EXPECT_TRUE(IsJsonNumber(yes)) << yes;
  }
  for (const char* no :
       {"", "-", "007", "1.", ".5", "+1", "1e", "0x10", "1 ", "NaN", "Infinity", "1e999", "1,5",
        // A whole number beyond 64 bits: a store reading it back would refuse it.
        "18446744073709551616", "-9223372036854775809"}) {
    EXPECT_FALSE(IsJsonNumber(no)) << no;
  }
}

}  // namespace
}  // namespace signpost::ingest
