// Query integers and bounded JSON bodies: bad input is a 400 naming the parameter or the limit.
#include "api/request_limits.h"

#include <gtest/gtest.h>

namespace signpost::api {
namespace {

Request WithQuery(std::string_view target) {
  Request r;
  EXPECT_TRUE(ParseTarget(target, r).ok());
  return r;
}

TEST(QueryInt, AbsentIsTheDefaultAndAWholeNumberInRangeIsItsValue) {
  EXPECT_EQ(*QueryInt(WithQuery("/x"), "limit", 100, 1, 1000), 100u);
  EXPECT_EQ(*QueryInt(WithQuery("/x?limit=7"), "limit", 100, 1, 1000), 7u);
  EXPECT_EQ(*QueryInt(WithQuery("/x?limit=1000"), "limit", 100, 1, 1000), 1000u);
}

// Regression: ?limit=abc on /api/deadletters answered 500 (std::stoul threw).
TEST(QueryInt, LettersSignsFractionsAndOutOfRangeNameTheParameterAndTheRange) {
  for (const char* bad :
       {"abc", "", "-1", "+5", "1.5", "10x", " 10", "0", "1001", "99999999999999999999999"}) {
    auto r = QueryInt(WithQuery(std::string("/x?limit=") + bad), "limit", 100, 1, 1000);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("limit: expected a whole number from 1 to 1000"),
              std::string::npos)
        << r.status().message();
  }
}

TEST(ParseJsonBody, ParsesNestingUpToTheLimit) {
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ParseJsonBody(ok).ok());
  EXPECT_TRUE(
      ParseJsonBody(
          R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\" ["})")
          .ok());
}

// Regression: 200,000 nested '[' on POST /api/segments/x/members crashed the server (the parse
// was fine; dump() of the nested value in the error message recursed off the stack).
TEST(ParseJsonBody, DeepNestingIsRefusedNamingTheLimit) {
  for (const std::string& deep :
       {std::string(200000, '['),
        "{\"ids\":" + std::string(200000, '[') + std::string(200000, ']') + "}",
        std::string(kMaxJsonDepth + 1, '{')}) {
    auto r = ParseJsonBody(deep);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("deeper than 64"), std::string::npos)
        << r.status().message();
  }
  auto obj = ParseJsonObject("{\"ids\":" + std::string(1000, '[') + "}", "ids: send an object");
  ASSERT_FALSE(obj.ok());
  EXPECT_NE(obj.status().message().find("deeper than 64"), std::string::npos);
}

TEST(ParseJsonBody, MalformedJsonNamesTheOffsetAndObjectsNeedAnObject) {
  auto r = ParseJsonBody("{\"a\": tru}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not valid JSON"), std::string::npos);
  auto o = ParseJsonObject("[1]", "body: send an object");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(), "body: send an object");
}

// Found by fuzz_http_target: a number beyond double's range made the second, exception-raising
// parse throw out_of_range (not parse_error), which escaped.
TEST(ParseJsonBody, ANumberOutOfRangeIsA400NotAnException) {
  for (const char* body : {"2e888}8}", "{\"a\": 1e400}", "[-1e99999]"}) {
    auto r = ParseJsonBody(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("not valid JSON"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace signpost::api
