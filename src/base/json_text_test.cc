#include "base/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace signpost {
namespace {

TEST(JsonObjectText, WritesMembersInOrderWithEscapedStringsAndRawValues) {
  JsonObjectText o;
  o.Add("step", "wait \"1h\"\n").Add("n", uint64_t{18446744073709551615u}).Add("d", int64_t{-3});
  o.Add("ok", true).Add("entry", uint32_t{7}).AddRaw("traits", R"({"plan":"pro"})");
  const std::string text = o.Finish();
  EXPECT_EQ(text, R"({"step":"wait \"1h\"\n","n":18446744073709551615,"d":-3,"ok":true,"entry":7,)"
                  R"("traits":{"plan":"pro"}})");
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["step"], "wait \"1h\"\n");
  EXPECT_EQ(parsed["traits"]["plan"], "pro");
  EXPECT_EQ(o.Finish(), "{}") << "the writer starts again empty";
}

TEST(JsonObjectText, AnEmptyObject) { EXPECT_EQ(JsonObjectText().Finish(), "{}"); }

TEST(JsonTextMayHoldKey, FindsOnlyTheQuotedKey) {
  const std::string_view json = R"({"context":{"ip":"1.2.3.4","library":{"name":"x"}},"zip":1})";
  EXPECT_TRUE(JsonTextMayHoldKey(json, "ip"));
  EXPECT_TRUE(JsonTextMayHoldKey(json, "name"));
  EXPECT_TRUE(JsonTextMayHoldKey(json, "zip"));
  EXPECT_FALSE(JsonTextMayHoldKey(json, "i"));      // only inside other keys
  EXPECT_FALSE(JsonTextMayHoldKey(json, "brary"));  // the end of a key
  EXPECT_FALSE(JsonTextMayHoldKey(json, "email"));
  EXPECT_FALSE(JsonTextMayHoldKey("", "ip"));
  EXPECT_FALSE(JsonTextMayHoldKey("\"ip", "ip"));  // no closing quote
  // A string value that equals the key counts: a maybe, the caller parses to be sure.
  EXPECT_TRUE(JsonTextMayHoldKey(R"({"k":"ip"})", "ip"));
  // Keys written escaped in the text always may.
  EXPECT_TRUE(JsonTextMayHoldKey("{}", "a\"b"));
  EXPECT_TRUE(JsonTextMayHoldKey("{}", "a\\b"));
  EXPECT_TRUE(JsonTextMayHoldKey("{}", "a\nb"));
  // The empty key; a long one.
  EXPECT_TRUE(JsonTextMayHoldKey(R"({"":1})", ""));
  EXPECT_FALSE(JsonTextMayHoldKey(R"({"a":1})", ""));
  const std::string long_key(300, 'k');
  EXPECT_TRUE(JsonTextMayHoldKey("{\"" + long_key + "\":1}", long_key));
  EXPECT_FALSE(JsonTextMayHoldKey("{\"" + long_key + "k\":1}", long_key));
}

}  // namespace
}  // namespace signpost
