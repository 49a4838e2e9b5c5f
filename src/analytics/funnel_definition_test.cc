#include "analytics/funnel_definition.h"

#include <gtest/gtest.h>

namespace signpost::analytics {
namespace {

constexpr const char* kTrialActivation = R"(
kind: funnel
id: trial-activation
name: Trial activation
note: first version
window: 7d
order: ordered
entry: any_attempt
hold_constant: [properties.cart_id]
steps:
  - { name: Signed Up, event: Signed Up }
  - { name: Verified, event: Email Verified, where: { properties.method: { in: [link, code] } } }
  - { name: Connected, any_of: [ { event: Integration Connected }, { event: Data Imported } ] }
  - { name: Invited, event: Teammate Invited, optional: true }
  - { name: Pro, trait: plan, equals: pro }
exclusions:
  - { event: Account Deleted, between: [1, 3] }
)";

TEST(FunnelDefinition, ParsesTheDocumentedExample) {
  auto def = ParseFunnelDefinition(kTrialActivation);
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->id, "trial-activation");
  EXPECT_EQ(def->name, "Trial activation");
  EXPECT_EQ(def->note, "first version");
  EXPECT_EQ(def->window, 7 * kDayMs);
  EXPECT_EQ(def->order, OrderMode::kOrdered);
  EXPECT_EQ(def->entry, EntryMode::kAnyAttempt);
  ASSERT_EQ(def->hold_constant.size(), 1u);
  EXPECT_EQ(def->hold_constant[0].keys, std::vector<std::string>{"cart_id"});
  ASSERT_EQ(def->steps.size(), 5u);
  EXPECT_EQ(def->steps[1].any_of[0].where[0].op, rules::Op::kIn);
  EXPECT_EQ(def->steps[1].any_of[0].where[0].values.size(), 2u);
  EXPECT_EQ(def->steps[2].any_of.size(), 2u);
  EXPECT_TRUE(def->steps[3].optional);
  ASSERT_TRUE(def->steps[4].status.has_value());
  EXPECT_EQ(def->steps[4].status->path.text, "traits.plan");
  ASSERT_EQ(def->exclusions.size(), 1u);
  EXPECT_EQ(def->exclusions[0].from_step, 1);
  EXPECT_EQ(def->exclusions[0].to_step, 3);
}

TEST(FunnelDefinition, ParsesJson) {
  auto def = ParseFunnelDefinition(
      R"({"kind":"funnel","id":"j","window":"2d","order":"strict","entry":"first_entry",
          "steps":[{"event":"A"},{"event":"B","where":{"properties.n":{">":3}}}]})");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->window, 2 * kDayMs);
  EXPECT_EQ(def->order, OrderMode::kStrict);
  EXPECT_EQ(def->entry, EntryMode::kFirstEntry);
  EXPECT_EQ(def->steps[1].name, "B");
  EXPECT_EQ(def->steps[1].any_of[0].where[0].op, rules::Op::kGt);
}

std::string ErrorOf(const std::string& text) {
  auto def = ParseFunnelDefinition(text);
  return def.ok() ? "" : def.status().message();
}

TEST(FunnelDefinition, ErrorsNameTheFieldAndTheFix) {
  EXPECT_EQ(ErrorOf("steps: [A, { event: B, where: { properties.m: { between: 3 } } }]"),
            "steps[1].where.properties.m: unknown operator 'between'; use one of =, !=, <, >, <=, "
            ">=, in, contains, exists, regex");
  EXPECT_EQ(ErrorOf("steps: [A]\norder: sideways"),
            "order: unknown order 'sideways'; use ordered, strict or any");
  EXPECT_EQ(ErrorOf("steps: [A]\nentry: all"),
            "entry: unknown entry 'all'; use any_attempt, first_entry or each_attempt");
  EXPECT_NE(ErrorOf("steps: [A]\nwindow: 7 days").find("window:"), std::string::npos);
  EXPECT_EQ(ErrorOf("kind: journey\nsteps: [A]"),
            "kind: is 'journey'; a funnel definition has kind: funnel");
  EXPECT_EQ(ErrorOf("steps: []"), "steps: has 0 steps; a funnel has 1 to 64");
  EXPECT_EQ(ErrorOf("steps: [{ event: A, optional: true }]"),
            "steps[0].optional: step 1 enters the funnel and cannot be optional");
  EXPECT_EQ(ErrorOf("steps: [A, B]\nexclusions: [{ event: X, between: [2, 2] }]"),
            "exclusions[0].between: [2, 2] must be two step numbers 1 <= i < j <= 2");
  EXPECT_EQ(
      ErrorOf("steps: [A, { event: B, colour: red }]"),
      "steps[1].colour: unknown field; use one of any_of, event, name, optional, trait, where");
  EXPECT_NE(ErrorOf("steps: [A, { event: B, where: { properties.x: { regex: '(' } } }]")
                .find("steps[1].where.properties.x.regex: invalid regular expression"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf("steps: [A, { event: B, where: { prop.x: 1 } }]").find("steps[1].where.prop.x:"),
      std::string::npos);
  EXPECT_NE(
      ErrorOf("steps: [A, { name: P, trait: plan }]").find("a status step needs one condition"),
      std::string::npos);
  EXPECT_NE(ErrorOf("steps: [A, {").find("not valid YAML or JSON"), std::string::npos);
  std::string many = "steps: [";
  for (int i = 0; i < 65; ++i) many += (i ? ",S" : "S") + std::to_string(i);
  EXPECT_EQ(ErrorOf(many + "]"), "steps: has 65 steps; a funnel has 1 to 64");
}

// Issue 13 (tracking consent): `consent:` is a category or a list, kept in lower case, sorted,
// without repeats; a bad name is refused naming the entry.
TEST(FunnelDefinition, ConsentCategoriesAreReadInLowerCase) {
  auto one = ParseFunnelDefinition("id: f\nconsent: Analytics\nsteps: [A, B]");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->consent, std::vector<std::string>{"analytics"});
  auto many = ParseFunnelDefinition("id: f\nconsent: [marketing, Ads, ads]\nsteps: [A, B]");
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  EXPECT_EQ(many->consent, (std::vector<std::string>{"ads", "marketing"}));
  EXPECT_EQ(ErrorOf("consent: [analytics, '']\nsteps: [A]"),
            "consent[1]: a consent category is 1 to 64 characters, e.g. marketing or analytics");
  EXPECT_EQ(
      ErrorOf("consent: { a: 1 }\nsteps: [A]").rfind("consent: expected a consent category", 0),
      0u);
}

TEST(FunnelDefinition, AdHocStepsFromAString) {
  auto def = ParseAdHocFunnel(" Signed Up > Email Verified>Order Completed ");
  ASSERT_TRUE(def.ok());
  ASSERT_EQ(def->steps.size(), 3u);
  EXPECT_EQ(def->steps[0].name, "Signed Up");
  EXPECT_EQ(def->steps[1].any_of[0].event, "Email Verified");
  EXPECT_EQ(def->window, 7 * kDayMs);
  EXPECT_FALSE(ParseAdHocFunnel("A>>B").ok());
  EXPECT_FALSE(ParseAdHocFunnel("").ok());
}

}  // namespace
}  // namespace signpost::analytics

namespace signpost::analytics {
namespace {

TEST(FunnelDefinitionNextBestActionTest, ReadsSegmentsAndMinimumCount) {
  auto def = ParseFunnelDefinition(R"(kind: funnel
id: f
steps: [{ event: A }, { event: B }]
next_best_action: { segments: [vip, trial], min_count: 50 }
)");
  ASSERT_TRUE(def.ok()) << def.status().message();
  ASSERT_EQ(def->nba_segments.size(), 2u);
  EXPECT_EQ(def->nba_segments[1].value(), "trial");
  EXPECT_EQ(def->nba_min_count, 50u);
  auto bad = ParseFunnelDefinition(
      "kind: funnel\nid: f\nsteps: [{ event: A }]\nnext_best_action: { min_count: 0 }\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("next_best_action.min_count"), std::string::npos);
  EXPECT_FALSE(ParseFunnelDefinition(
                   "kind: funnel\nid: f\nsteps: [{ event: A }]\nnext_best_action: { x: 1 }\n")
                   .ok());
}

}  // namespace
}  // namespace signpost::analytics
