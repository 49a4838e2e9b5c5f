#include "base/duration.h"

#include <gtest/gtest.h>

namespace signpost {
namespace {

DurationMs ParsedMs(std::string_view text) {
  auto r = ParseDuration(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

std::string DurationError(std::string_view text) {
  auto r = ParseDuration(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? *r : 0);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  return r.status().message();
}

TEST(ParseDuration, SingleUnits) {
  EXPECT_EQ(ParsedMs("30s"), 30 * 1000);
  EXPECT_EQ(ParsedMs("15m"), 15 * 60 * 1000);
  EXPECT_EQ(ParsedMs("1h"), 3600 * 1000);
  EXPECT_EQ(ParsedMs("7d"), 7 * 86400 * 1000LL);
  EXPECT_EQ(ParsedMs("2w"), 14 * 86400 * 1000LL);
  EXPECT_EQ(ParsedMs("250ms"), 250);
  EXPECT_EQ(ParsedMs("0s"), 0);
  EXPECT_EQ(ParsedMs("007m"), 7 * 60 * 1000);
}

TEST(ParseDuration, CompoundLargestFirst) {
  EXPECT_EQ(ParsedMs("1d12h"), 36 * 3600 * 1000LL);
  EXPECT_EQ(ParsedMs("1w1d1h1m1s1ms"), 8 * 86400000LL + 3600000 + 60000 + 1000 + 1);
  EXPECT_EQ(ParsedMs("1m30s"), 90000);
  EXPECT_NE(DurationError("12h1d").find("out of order"), std::string::npos);
  EXPECT_NE(DurationError("1h1h").find("repeated"), std::string::npos);
}

TEST(ParseDuration, Refusals) {
  EXPECT_NE(DurationError("").find("empty"), std::string::npos);
  EXPECT_NE(DurationError("30").find("needs a unit"), std::string::npos);
  EXPECT_NE(DurationError("s").find("expected a number"), std::string::npos);
  EXPECT_NE(DurationError("3y").find("unknown unit 'y'"), std::string::npos);
  EXPECT_NE(DurationError("3mins").find("unknown unit 'mins'"), std::string::npos);
  EXPECT_NE(DurationError("-5s").find("expected a number"), std::string::npos);
  EXPECT_NE(DurationError("1.5h").find("needs a unit"), std::string::npos);
  EXPECT_NE(DurationError("1H").find("needs a unit"), std::string::npos);
  EXPECT_NE(DurationError(" 1h").find("expected a number"), std::string::npos);
  EXPECT_NE(DurationError("1h ").find("expected a number"), std::string::npos);
  for (std::string_view bad : {"", "30", "3y"}) {
    EXPECT_NE(DurationError(bad).find("e.g. 30s"), std::string::npos) << bad;
  }
}

TEST(ParseDuration, OverflowBoundary) {
  // INT64_MAX ms = 9223372036854775807ms; one more is refused, as is a week count that overflows.
  EXPECT_EQ(ParsedMs("9223372036854775807ms"), INT64_MAX);
  EXPECT_NE(DurationError("9223372036854775808ms").find("too long"), std::string::npos);
  EXPECT_NE(DurationError("99999999999999999999999999w").find("too long"), std::string::npos);
  EXPECT_EQ(ParsedMs("15250284452w"), 15250284452LL * 7 * 86400000);
  EXPECT_NE(DurationError("15250284453w").find("too long"), std::string::npos);
  EXPECT_NE(DurationError("15250284452w4d").find("too long"), std::string::npos);
}

TEST(FormatDuration, ReadableAndRoundTrips) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(30000), "30s");
  EXPECT_EQ(FormatDuration(90000), "1m30s");
  EXPECT_EQ(FormatDuration(36 * 3600000LL), "1d12h");
  EXPECT_EQ(FormatDuration(14 * 86400000LL), "2w");
  EXPECT_EQ(FormatDuration(9 * 86400000LL), "9d");
  EXPECT_EQ(FormatDuration(1500), "1s500ms");
  EXPECT_EQ(FormatDuration(-1500), "-1s500ms");
  EXPECT_FALSE(FormatDuration(INT64_MIN).empty());
  for (DurationMs d : std::initializer_list<DurationMs>{1, 999, 1000, 61001, 7 * 86400000LL,
                                                        8 * 86400000LL + 3723004, INT64_MAX}) {
    EXPECT_EQ(ParsedMs(FormatDuration(d)), d) << FormatDuration(d);
  }
}

}  // namespace
}  // namespace signpost
