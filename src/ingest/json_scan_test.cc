#include "ingest/json_scan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace signpost::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SplitBatch, FollowsStringsEscapesAndNesting) {
  const std::string body =
      R"( {"writeKey":"k]","batch" : [ {"a":"x\"]},["} , [1,[2]] ,"s\\",3 ], "sentAt":null } )";
  std::optional<BatchSplit> split = SplitBatch(body);
  ASSERT_TRUE(split.has_value());
  EXPECT_THAT(split->items, ElementsAre(R"({"a":"x\"]},["})", "[1,[2]]", R"("s\\")", "3"));
  EXPECT_EQ(split->shell, R"( {"writeKey":"k]","batch" : [], "sentAt":null } )");
  EXPECT_TRUE(SplitBatch(R"({"batch":[]})")->items.empty());
}

TEST(SplitBatch, RefusesWhatIsNotABatchBody) {
  for (const char* body : {"", "[]", "{}", R"({"batch":{}})", R"({"batch":[1,2)",
                           R"({"batch":[1,]})", R"({"batch":[1]} x)", R"({"batch":[1],)",
                           R"({"batch":["open]})", R"({"batch" [1]})", R"({batch:[1]})"}) {
    EXPECT_FALSE(SplitBatch(body).has_value()) << body;
  }
}

TEST(FindJsonFault, NamesThePathAndTheFault) {
  struct Case {
    std::string text;
    std::string field;
    std::string reason;
  };
  const Case cases[] = {
      {R"({"a":{"b":[1,"x\ud83d"]}})", "a.b[1]", "lone surrogate \\ud83d at byte 15"},
      {"{\"a\":\"\xed\xa0\xbd\"}", "a", "invalid UTF-8 at byte 6"},  // a surrogate as UTF-8
      {"{\"a\":\"\xf4\x90\x80\x80\"}", "a", "invalid UTF-8"},        // beyond U+10FFFF
      {"{\"a\":\"\xc0\xaf\"}", "a", "invalid UTF-8"},                // overlong
      {R"({"a":"\x"})", "a", "invalid escape \\x"},
      {R"({"a":"\u12"})", "a", "invalid \\u escape"},
      {R"({"n":-1e400})", "n", "out of range"},
      {R"({"n":18446744073709551616})", "n", "beyond 64 bits"},
      {R"({"n":01})", "n", "not valid JSON at byte 6"},
      {R"({"n":1.})", "n", "invalid number"},
      {R"({"a":1 "b":2})", "a", "expected ',' or '}'"},
      {R"({"a":tru})", "a", "not valid JSON"},
      {R"([1,2)", "[1]", "not valid JSON"},
  };
  for (const Case& c : cases) {
    std::optional<JsonFault> fault = FindJsonFault(c.text);
    ASSERT_TRUE(fault.has_value()) << c.text;
    EXPECT_EQ(fault->error.field, c.field) << c.text;
    EXPECT_THAT(fault->error.reason, HasSubstr(c.reason)) << c.text;
  }
  for (const char* ok : {R"({"a":[1,-0,2.5e-3,1e-400,"\ud83d\ude00 é",true,false,null,{}]})", "[]",
                         " 0 ", R"({"":{"":[]}})", R"({"max":18446744073709551615})"}) {
    EXPECT_FALSE(FindJsonFault(ok).has_value()) << ok;
  }
  EXPECT_TRUE(FindJsonFault(R"({"a":"cut)")->syntax);
  EXPECT_FALSE(FindJsonFault(R"({"a":"\udc00"})")->syntax);
}

TEST(ToValidUtf8, ReplacesOnlyBadBytes) {
  EXPECT_EQ(ToValidUtf8("ok é ✓"), "ok é ✓");
  EXPECT_EQ(ToValidUtf8("a\xff"
                        "b\xc3"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

}  // namespace
}  // namespace signpost::ingest
