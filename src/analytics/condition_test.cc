#include "analytics/condition.h"

#include <gtest/gtest.h>

namespace signpost::analytics {
namespace {

ValueRef Str(std::string_view s) {
  ValueRef v;
  v.kind = ValueKind::kString;
  v.text = s;
  return v;
}
ValueRef Num(double d) {
  ValueRef v;
  v.kind = ValueKind::kNumber;
  v.number = d;
  return v;
}
ValueRef Missing() { return ValueRef{}; }

Condition Make(Op op, std::vector<std::string> values) {
  Condition c;
  c.op = op;
  for (auto& v : values) c.values.push_back(Literal::Of(v));
  if (op == Op::kRegex) c.regex = std::make_shared<const std::regex>(values[0]);
  return c;
}

TEST(Condition, EachOperator) {
  EXPECT_TRUE(Make(Op::kEq, {"pro"}).Matches(Str("pro")));
  EXPECT_FALSE(Make(Op::kEq, {"pro"}).Matches(Str("free")));
  EXPECT_TRUE(Make(Op::kEq, {"3"}).Matches(Num(3)));
  EXPECT_FALSE(Make(Op::kEq, {"3"}).Matches(Missing()));
  EXPECT_TRUE(Make(Op::kNe, {"pro"}).Matches(Str("free")));
  EXPECT_TRUE(Make(Op::kNe, {"pro"}).Matches(Missing()));
  EXPECT_TRUE(Make(Op::kLt, {"3"}).Matches(Num(2.5)));
  EXPECT_FALSE(Make(Op::kLt, {"3"}).Matches(Num(3)));
  EXPECT_TRUE(Make(Op::kGt, {"3"}).Matches(Num(4)));
  EXPECT_FALSE(Make(Op::kGt, {"3"}).Matches(Str("4")));  // text vs number: no match
  EXPECT_TRUE(Make(Op::kGt, {"b"}).Matches(Str("c")));    // two strings: lexicographic
  EXPECT_TRUE(Make(Op::kIn, {"link", "code"}).Matches(Str("code")));
  EXPECT_FALSE(Make(Op::kIn, {"link", "code"}).Matches(Str("sms")));
  EXPECT_TRUE(Make(Op::kContains, {"gmail"}).Matches(Str("a@gmail.com")));
  EXPECT_FALSE(Make(Op::kContains, {"gmail"}).Matches(Missing()));
  EXPECT_TRUE(Make(Op::kRegex, {"^/pricing(/|$)"}).Matches(Str("/pricing/pro")));
  EXPECT_FALSE(Make(Op::kRegex, {"^/pricing(/|$)"}).Matches(Str("/pricingx")));
  Condition exists = Make(Op::kExists, {});
  EXPECT_TRUE(exists.Matches(Str("")));
  EXPECT_FALSE(exists.Matches(Missing()));
  ValueRef null_value;
  null_value.kind = ValueKind::kNull;
  EXPECT_FALSE(exists.Matches(null_value));
  exists.exists = false;
  EXPECT_TRUE(exists.Matches(Missing()));
  ValueRef yes;
  yes.kind = ValueKind::kBool;
  yes.number = 1;
  EXPECT_TRUE(Make(Op::kEq, {"true"}).Matches(yes));
}

TEST(Condition, OperatorNames) {
  EXPECT_EQ(ParseOp("eq"), Op::kEq);
  EXPECT_EQ(ParseOp("="), Op::kEq);
  EXPECT_EQ(ParseOp("between"), std::nullopt);
  EXPECT_STREQ(OperatorList(), "=, !=, <, >, <=, >=, in, contains, exists, regex");
}

TEST(Condition, GteAndLteIncludeTheBoundAndReadTheirWordForms) {
  ASSERT_EQ(ParseOp("gte"), Op::kGe);
  ASSERT_EQ(ParseOp("<="), Op::kLe);
  ASSERT_EQ(ParseOp("gt"), Op::kGt);
  EXPECT_TRUE(Make(Op::kGe, {"3"}).Matches(Num(3)));
  EXPECT_FALSE(Make(Op::kGe, {"3"}).Matches(Num(2.9)));
  EXPECT_TRUE(Make(Op::kLe, {"3"}).Matches(Num(3)));
  EXPECT_FALSE(Make(Op::kLe, {"3"}).Matches(Num(3.1)));
}

}  // namespace
}  // namespace signpost::analytics
