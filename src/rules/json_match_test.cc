#include "rules/json_match.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "rules/where.h"

namespace signpost::rules {
namespace {

PropertyPath Path(std::string_view text) { return *ParsePropertyPath(text); }

std::vector<Condition> Where(const std::string& yaml) {
  std::vector<Condition> out;
  Status s = ParseWhere(YAML::Load(yaml), "where", &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(ReadJsonValue, ReadsEachKindAtNestedKeys) {
  simdjson::dom::parser parser;
  std::string scratch;
  const std::string json =
      R"({"a":{"b":"x"},"n":3,"u":18446744073709551615,"d":2.5,"t":true,"z":null,"l":[1, 2]})";
  auto read = [&](std::vector<std::string> keys) {
    return ReadJsonValue(parser, json, keys, scratch);
  };
  ValueRef s = read({"a", "b"});
  EXPECT_EQ(s.kind, ValueKind::kString);
  EXPECT_EQ(s.text, "x");
  EXPECT_EQ(read({"n"}).number, 3);
  EXPECT_EQ(read({"u"}).kind, ValueKind::kNumber);
  EXPECT_EQ(read({"d"}).number, 2.5);
  EXPECT_EQ(read({"t"}).kind, ValueKind::kBool);
  EXPECT_EQ(read({"z"}).kind, ValueKind::kNull);
  ValueRef list = read({"l"});
  EXPECT_EQ(list.kind, ValueKind::kString);
  EXPECT_EQ(list.text, "[1,2]");  // minified
  EXPECT_EQ(read({"a", "missing"}).kind, ValueKind::kMissing);
  EXPECT_EQ(read({"n", "below_a_number"}).kind, ValueKind::kMissing);
  EXPECT_EQ(ReadJsonValue(parser, "{not json", {"a"}, scratch).kind, ValueKind::kMissing);
}

TEST(JsonMatcher, EvaluatesConditionsOnEachScope) {
  JsonMatcher m;
  JsonScopes scopes{R"({"total":40,"method":"link"})", R"({"page":{"url":"/pricing"}})",
                    R"({"plan":"pro"})"};
  EXPECT_TRUE(m.Matches({}, scopes));
  EXPECT_TRUE(
      m.Matches(Where("{properties.total: {gt: 20}, properties.method: [link, code]}"), scopes));
  EXPECT_TRUE(
      m.Matches(Where("{context.page.url: {regex: '^/pricing'}, traits.plan: pro}"), scopes));
  EXPECT_FALSE(m.Matches(Where("{properties.total: {gt: 20}, traits.plan: free}"), scopes));
  EXPECT_TRUE(m.Matches(Where("{properties.gone: {exists: false}}"), JsonScopes{"{broken"}));
}

TEST(JsonMatcher, TextRendersTheValueOrNothing) {
  JsonMatcher m;
  JsonScopes scopes{R"({"n":3,"s":"a","o":{"k":1},"z":null})"};
  EXPECT_EQ(m.Text(Path("properties.n"), scopes), "3.0");  // numbers render as doubles
  EXPECT_EQ(m.Text(Path("properties.s"), scopes), "a");
  EXPECT_EQ(m.Text(Path("properties.o"), scopes), R"({"k":1})");
  EXPECT_EQ(m.Text(Path("properties.z"), scopes), std::nullopt);
  EXPECT_EQ(m.Text(Path("properties.gone"), scopes), std::nullopt);
}

}  // namespace
}  // namespace signpost::rules
