// Parsing `kind: segment` documents: the accepted forms and messages that name the field, the line
// and the fix.
#include "segments/segment_definition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace signpost::segments {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(std::string_view text) {
  auto r = ParseSegmentDefinition(text);
  EXPECT_FALSE(r.ok()) << "parsed: " << text;
  return r.ok() ? "" : r.status().message();
}

TEST(SegmentDefinition, ParsesAnEventRuleWithItsDefaults) {
  auto def = ParseSegmentDefinition(R"(
kind: segment
id: purchased-last-7d
name: Purchased in the last 7 days
rule:
  event: Order Completed
  where: { properties.total: { gt: 0 } }
  within: 7d
)");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->id, "purchased-last-7d");
  EXPECT_EQ(def->name, "Purchased in the last 7 days");
  const Rule& r = def->rule;
  EXPECT_EQ(r.kind, Rule::Kind::kEvent);
  EXPECT_EQ(r.event, "Order Completed");
  ASSERT_EQ(r.where.size(), 1u);
  EXPECT_EQ(r.where[0].op, rules::Op::kGt);
  ASSERT_EQ(r.count.size(), 1u);  // at least once by default
  EXPECT_EQ(r.count[0].op, rules::Op::kGe);
  EXPECT_EQ(r.count[0].n, 1);
  EXPECT_EQ(r.within, 7 * kDayMs);
  EXPECT_EQ(RuleJson(r)["within"], "1w");
}

TEST(SegmentDefinition, ParsesNestedAllAnyNotTraitAndSegmentRulesFromJson) {
  auto def = ParseSegmentDefinition(R"({"kind":"segment","id":"pro-not-churned","rule":{"all":[
      {"trait":{"plan":"pro","seats":{"gte":5},"traits.country":["FR","DE"]}},
      {"not":{"segment":"churned"}},
      {"any":[{"event":"A","count":{"eq":0}},{"event":"B","count":{"gt":1,"lte":3}}]}]}})");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  const Rule& all = def->rule;
  ASSERT_EQ(all.kind, Rule::Kind::kAll);
  ASSERT_EQ(all.children.size(), 3u);
  const Rule& trait = all.children[0];
  ASSERT_EQ(trait.traits.size(), 3u);
  EXPECT_EQ(trait.traits[1].path.keys, std::vector<std::string>{"seats"});
  EXPECT_EQ(trait.traits[2].op, rules::Op::kIn);
  EXPECT_EQ(trait.traits[2].path.keys, std::vector<std::string>{"country"});
  EXPECT_EQ(all.children[1].kind, Rule::Kind::kNot);
  EXPECT_EQ(all.children[1].children[0].segment, "churned");
  const Rule& b = all.children[2].children[1];
  ASSERT_EQ(b.count.size(), 2u);
  EXPECT_TRUE(b.count[0].Holds(2));
  EXPECT_FALSE(b.count[1].Holds(4));
  std::vector<SegmentId> refs;
  ReferencesOf(def->rule, &refs);
  EXPECT_EQ(refs, std::vector<SegmentId>{SegmentId("churned")});
}

TEST(SegmentDefinition, EveryFunnelOperatorIsAccepted) {
  auto def = ParseSegmentDefinition(R"(
kind: segment
id: ops
rule:
  trait:
    a: { "=": x, "!=": y, "<": 3, ">": 1, "<=": 3, ">=": 1 }
    b: { in: [x, y], contains: z, exists: true, regex: "^a.*" }
)");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->rule.traits.size(), 10u);
}

TEST(SegmentDefinition, ABadDurationNamesTheFieldTheLineAndTheForm) {
  std::string m = ErrorOf("kind: segment\nid: s\nrule:\n  event: A\n  within: 7 days\n");
  EXPECT_THAT(m, HasSubstr("rule.within (line 5)"));
  EXPECT_THAT(m, HasSubstr("7d"));
}

TEST(SegmentDefinition, ABadOperatorNamesTheFieldAndTheOperators) {
  std::string m =
      ErrorOf("kind: segment\nid: s\nrule:\n  all:\n    - trait: { plan: { like: pro } }\n");
  EXPECT_THAT(m, HasSubstr("rule.all[0].trait.plan"));
  EXPECT_THAT(m, HasSubstr("like"));
  EXPECT_THAT(m, HasSubstr("line 5"));
  EXPECT_THAT(m, HasSubstr("regex"));
}

TEST(SegmentDefinition, ABadCountNamesTheFix) {
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { event: A, count: { about: 3 } }"),
              HasSubstr("rule.count.about (line 3): unknown count operator"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { event: A, count: { gte: -1 } }"),
              HasSubstr("rule.count.gte"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { event: A, count: 3 }"),
              HasSubstr("count: { gte: 1 }"));
}

TEST(SegmentDefinition, RejectsMalformedRules) {
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\n"), HasSubstr("rule"));
  EXPECT_THAT(ErrorOf("kind: segment\nrule: { event: A }"), HasSubstr("id"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { }"), HasSubstr("no rule here"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { event: A, trait: { a: 1 } }"),
              HasSubstr("more than one rule"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { all: [] }"), HasSubstr("rule.all"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { event: A, wihtin: 7d }"),
              HasSubstr("rule.wihtin"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { event: A, where: { context.ip: x } }"),
              HasSubstr("properties only"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { not: { segment: [a] } }"),
              HasSubstr("rule.not.segment"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: a/b\nrule: { event: A }"), HasSubstr("id"));
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: { event: A, within: 0s }"),
              HasSubstr("longer than 0s"));
}

TEST(SegmentDefinition, DeepNestingIsRefusedNotOverflowed) {
  std::string rule = "{ event: A }";
  for (int i = 0; i < 40; ++i) rule = "{ not: " + rule + " }";
  EXPECT_THAT(ErrorOf("kind: segment\nid: s\nrule: " + rule), HasSubstr("nest deeper"));
}

}  // namespace
}  // namespace signpost::segments
