#include "rules/condition.h"

#include <gtest/gtest.h>

#include "rules/where.h"

namespace signpost::rules {
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
  if (op == Op::kRegex) {
    auto parsed = ParseCondition(c.path, "regex", YAML::Node(values[0]), "where.x");
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    if (parsed.ok()) c.regex = parsed->regex;
  }
  return c;
}

// The error of a `regex:` condition with `pattern` ("" when it compiles).
std::string RegexError(const std::string& pattern) {
  PropertyPath path{PropertyScope::kProperties, {"email"}, "properties.email"};
  auto c = ParseCondition(path, "regex", YAML::Node(pattern), "where.properties.email");
  return c.ok() ? "" : c.status().message();
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
  EXPECT_TRUE(Make(Op::kGt, {"b"}).Matches(Str("c")));   // two strings: lexicographic
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

// Issue 11: std::regex recursed per character and overflowed the stack on a 32,000-character email
// (the server died, and died again on every restart). RE2 is linear in the text, without recursion.
TEST(Condition, RegexOverAHugeValueNeitherCrashesNorBacktracks) {
  Condition gmail = Make(Op::kRegex, {"^.*@gmail\\.com$"});
  std::string huge(32'000, 'a');
  EXPECT_FALSE(gmail.Matches(Str(huge)));
  EXPECT_TRUE(gmail.Matches(Str(huge + "@gmail.com")));
  std::string bigger(4'000'000, 'x');
  EXPECT_TRUE(gmail.Matches(Str(bigger + "@gmail.com")));
  // Catastrophic backtracking for a backtracking engine (2^n paths); linear for RE2.
  Condition nested = Make(Op::kRegex, {"^(a+)+$"});
  EXPECT_FALSE(nested.Matches(Str(std::string(100'000, 'a') + "!")));
  EXPECT_TRUE(nested.Matches(Str(std::string(100'000, 'a'))));
  EXPECT_TRUE(Make(Op::kRegex, {"(x|xx)*y"}).Matches(Str(std::string(200'000, 'x') + "y")));
}

TEST(Condition, RegexPatternsAreBoundedAndRe2SyntaxWithClearErrors) {
  EXPECT_EQ(RegexError("^[a-z]+@(gmail|yahoo)\\.com$"), "");
  EXPECT_EQ(RegexError("[(?=]"), "");  // inside a class: three characters
  EXPECT_EQ(RegexError(std::string(kMaxRegexBytes, 'a')), "");
  EXPECT_EQ(
      RegexError(std::string(kMaxRegexBytes + 1, 'a')),
      "where.properties.email.regex: the pattern is 1025 bytes; a regex may have at most 1024 "
      "(match a shorter prefix, or use in/contains)");
  EXPECT_EQ(
      RegexError("(a)\\1"),
      "where.properties.email.regex: invalid regular expression '(a)\\1': backreferences (\\1) "
      "are not supported; repeat the group's pattern instead (a character code is \\x{..}) "
      "(patterns are RE2 syntax, matched in linear time)");
  EXPECT_NE(RegexError("^(?=.*[0-9]).{8,}$")
                .find("where.properties.email.regex: invalid regular "
                      "expression '^(?=.*[0-9]).{8,}$': lookahead"),
            std::string::npos);
  EXPECT_NE(RegexError("(?<!un)happy").find(": lookbehind ((?<= or (?<!) is not supported"),
            std::string::npos);
  EXPECT_NE(RegexError("(").find("where.properties.email.regex: invalid regular expression '(': "
                                 "missing )"),
            std::string::npos);
  // Small text, huge program: refused when applied, not when an event arrives.
  EXPECT_NE(RegexError("\\pL{1000}")
                .find("where.properties.email.regex: the pattern '\\pL{1000}' "
                      "compiles to more than the regex memory limit"),
            std::string::npos);
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
}  // namespace signpost::rules
