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

}  // namespace
}  // namespace signpost
