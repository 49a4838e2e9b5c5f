#include "rules/property_path.h"

#include <gtest/gtest.h>

namespace signpost::rules {
namespace {

TEST(PropertyPath, ParsesEachScopeAndNestedKeys) {
  auto p = ParsePropertyPath("properties.cart_id");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->scope, PropertyScope::kProperties);
  EXPECT_EQ(p->keys, std::vector<std::string>{"cart_id"});
  EXPECT_EQ(p->text, "properties.cart_id");
  auto c = ParsePropertyPath("context.page.url");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scope, PropertyScope::kContext);
  EXPECT_EQ(c->keys, (std::vector<std::string>{"page", "url"}));
  auto t = ParsePropertyPath("traits.plan");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->scope, PropertyScope::kTraits);
}

TEST(PropertyPath, RefusesOtherPrefixesAndEmptyKeysNamingTheFix) {
  EXPECT_EQ(ParsePropertyPath("props.x").status().message(),
            "'props.x' is not a property path; write properties.<key>, "
            "context.<key>[.<key>...] or traits.<key>");
  EXPECT_FALSE(ParsePropertyPath("properties.").ok());
  EXPECT_FALSE(ParsePropertyPath("traits").ok());
  EXPECT_EQ(ParsePropertyPath("context.a..b").status().message(),
            "'context.a..b' has an empty key; write keys separated by single dots");
}

TEST(PropertyPath, RenderValueWritesEachKind) {
  ValueRef v;
  EXPECT_EQ(RenderValue(v), "(none)");
  v.kind = ValueKind::kNull;
  EXPECT_EQ(RenderValue(v), "(null)");
  v.kind = ValueKind::kBool;
  v.number = 1;
  EXPECT_EQ(RenderValue(v), "true");
  v.kind = ValueKind::kNumber;
  v.number = 3;
  EXPECT_EQ(RenderValue(v), "3.0");  // as nlohmann::json writes a double
  v.number = 2.5;
  EXPECT_EQ(RenderValue(v), "2.5");
  v.kind = ValueKind::kString;
  v.text = "pro";
  EXPECT_EQ(RenderValue(v), "pro");
}

}  // namespace
}  // namespace signpost::rules
