#include "base/time.h"

#include <gtest/gtest.h>

namespace signpost {
namespace {

// 2026-11-24T05:00:00Z, computed independently: 20781 days after 1970-01-01, plus 5 hours.
constexpr TimeMs kNov24At5 = 20781LL * 86400000 + 5 * 3600000;

TimeMs Parse(std::string_view text) {
  auto r = ParseIso8601(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

std::string Error(std::string_view text) {
  auto r = ParseIso8601(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? *r : 0);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  return r.status().message();
}

TEST(ParseIso8601, UtcSecondsAndEpoch) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("2026-11-24T05:00:00Z"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-24t05:00:00z"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-24 05:00:00Z"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-24T05:00Z"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-24T05:00:00"), kNov24At5);  // no offset: UTC
}

TEST(ParseIso8601, BareDateIsMidnightUtc) {
  EXPECT_EQ(Parse("2026-11-24"), kNov24At5 - 5 * 3600000);
  EXPECT_EQ(Parse("1970-01-02"), 86400000);
}

TEST(ParseIso8601, FractionsOfAnyLengthTruncateToMillis) {
  EXPECT_EQ(Parse("2026-11-24T05:00:00.1Z"), kNov24At5 + 100);
  EXPECT_EQ(Parse("2026-11-24T05:00:00.12Z"), kNov24At5 + 120);
  EXPECT_EQ(Parse("2026-11-24T05:00:00.123Z"), kNov24At5 + 123);
  EXPECT_EQ(Parse("2026-11-24T05:00:00.123999999999Z"), kNov24At5 + 123);
  EXPECT_EQ(Parse("2026-11-24T05:00:00,5Z"), kNov24At5 + 500);
}

TEST(ParseIso8601, Offsets) {
  EXPECT_EQ(Parse("2026-11-24T07:00:00+02:00"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-24T07:00:00+0200"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-24T07:00:00+02"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-24T00:30:00-0430"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-23T23:30:00-05:30"), kNov24At5);
  EXPECT_EQ(Parse("2026-11-24T05:00:00.250+00:00"), kNov24At5 + 250);
}

TEST(ParseIso8601, YearBoundaries) {
  EXPECT_EQ(Parse("0001-01-01T00:00:00Z"), -62135596800000LL);
  EXPECT_EQ(Parse("9999-12-31T23:59:59.999Z"), 253402300799999LL);
  EXPECT_NE(Error("0000-01-01T00:00:00Z").find("year 0 is out of range 0001-9999"),
            std::string::npos);
}

TEST(ParseIso8601, LeapYears) {
  EXPECT_EQ(Parse("2024-02-29") + 86400000, Parse("2024-03-01"));
  EXPECT_EQ(Parse("2000-02-29") + 86400000, Parse("2000-03-01"));
  EXPECT_NE(Error("2026-02-29").find("day 29 is out of range 01-28"), std::string::npos);
  EXPECT_NE(Error("1900-02-29").find("day 29"), std::string::npos);
  EXPECT_NE(Error("2026-04-31").find("01-30"), std::string::npos);
}

TEST(ParseIso8601, OutOfRangeFieldsNameTheField) {
  EXPECT_NE(Error("2026-13-01").find("month 13"), std::string::npos);
  EXPECT_NE(Error("2026-00-01").find("month 0"), std::string::npos);
  EXPECT_NE(Error("2026-01-00").find("day 0"), std::string::npos);
  EXPECT_NE(Error("2026-01-01T24:00:00Z").find("hour 24"), std::string::npos);
  EXPECT_NE(Error("2026-01-01T23:60:00Z").find("minute 60"), std::string::npos);
  EXPECT_NE(Error("2026-01-01T23:59:60Z").find("second 60"), std::string::npos);
  EXPECT_NE(Error("2026-01-01T00:00:00+24:00").find("offset hour 24"), std::string::npos);
  EXPECT_NE(Error("2026-01-01T00:00:00+01:60").find("offset minute 60"), std::string::npos);
}

TEST(ParseIso8601, MalformedTextIsRefusedWithTheAcceptedForm) {
  for (std::string_view bad :
       {"", "2026", "2026-1-01", "26-11-24", "2026/11/24", "2026-11-24T", "2026-11-24T5:00",
        "2026-11-24T05", "2026-11-24T05:00:00.", "2026-11-24T05:00:00Zjunk", "2026-11-24T05:00:00+",
        "2026-11-24T05:00:00+2", "2026-11-24T05:00:00 UTC", " 2026-11-24", "2026-11-24 ",
        "2026-11-24X05:00", "１９７０-01-01", "1711234567890"}) {
    std::string message = Error(bad);
    EXPECT_NE(message.find("ISO 8601"), std::string::npos) << bad << ": " << message;
  }
}

TEST(ParseIso8601, LongInputIsShortenedInTheMessage) {
  std::string text(10000, '9');
  EXPECT_LT(Error(text).size(), 300u);
}

TEST(FormatIso8601, AlwaysMillisAndZ) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(kNov24At5 + 123), "2026-11-24T05:00:00.123Z");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(-62135596800000LL), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(253402300799999LL), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(253402300800000LL), "+10000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(-62135596800001LL), "0000-12-31T23:59:59.999Z");
}

TEST(FormatIso8601, ExtremesDoNotOverflow) {
  EXPECT_FALSE(FormatIso8601(INT64_MIN).empty());
  EXPECT_FALSE(FormatIso8601(INT64_MAX).empty());
}

TEST(FormatIso8601, RoundTripsEveryDayOfFourCenturies) {
  // Each day from 1900 to 2300 at a varying time: Format then Parse gives the same instant.
  const TimeMs start = Parse("1900-01-01");
  for (int64_t day = 0; day < 146097; ++day) {
    const TimeMs t = start + day * 86400000 + (day * 7919) % 86400000;
    ASSERT_EQ(Parse(FormatIso8601(t)), t) << FormatIso8601(t);
  }
}

}  // namespace
}  // namespace signpost
