// Template placeholders: paths, flat and nested values, defaults, escaping, and errors that name
// the place and the fix; any input parses or fails cleanly.
#include "delivery/template_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace signpost::delivery {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string Render(std::string_view text, const json& vars, Escape escape = Escape::kNone) {
  auto t = TemplateText::Parse(text, "body");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? t->Render(vars, escape) : "";
}

std::string Error(std::string_view text) {
  auto t = TemplateText::Parse(text, "subject");
  EXPECT_FALSE(t.ok()) << text;
  return t.ok() ? "" : t.status().message();
}

TEST(TemplateTextTest, FillsNestedAndFlatValues) {
  json vars = {
      {"traits", {{"first_name", "Ada"}, {"address.city", "Oslo"}, {"plan", {{"tier", "pro"}}}}},
      {"event", {{"properties", {{"item", "Shoes"}, {"qty", 2}, {"gift", true}}}}},
      {"to", "ada@x.test"}};
  EXPECT_EQ(
      Render("Hi {{traits.first_name}} in {{ traits.address.city }}, {{traits.plan.tier}}", vars),
      "Hi Ada in Oslo, pro");
  EXPECT_EQ(Render("{{event.properties.qty}}x {{event.properties.item}} "
                   "gift={{event.properties.gift}} to {{to}}",
                   vars),
            "2x Shoes gift=true to ada@x.test");
  EXPECT_EQ(Render("{{traits.plan}}", vars), R"({"tier":"pro"})");
}

TEST(TemplateTextTest, AMissingValueRendersEmptyOrItsDefault) {
  json vars = {{"traits", {{"nickname", ""}, {"gone", nullptr}}}};
  EXPECT_EQ(Render("Hi {{traits.first_name}}!", vars), "Hi !");
  EXPECT_EQ(Render("Hi {{traits.first_name | default: \"there\"}}!", vars), "Hi there!");
  EXPECT_EQ(Render("Hi {{traits.nickname|default:'you'}}!", vars), "Hi you!");
  EXPECT_EQ(Render("Hi {{traits.gone | default: \"x\"}}!", vars), "Hi x!");
  EXPECT_EQ(Render("{{event.properties.a.b.c}}", json::object()), "");
}

TEST(TemplateTextTest, HtmlEscapesValuesButNotTheTemplate) {
  json vars = {{"traits", {{"name", "<b>\"Tom\" & 'Jerry'</b>"}}}};
  EXPECT_EQ(Render("<p>{{traits.name}}</p>", vars, Escape::kHtml),
            "<p>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>");
  EXPECT_EQ(Render("<p>{{traits.name}}</p>", vars, Escape::kNone),
            "<p><b>\"Tom\" & 'Jerry'</b></p>");
}

TEST(TemplateTextTest, AStrayClosingBraceIsText) {
  EXPECT_EQ(Render("a }} b {", json::object()), "a }} b {");
  EXPECT_EQ(Render("", json::object()), "");
}

TEST(TemplateTextTest, ErrorsNameTheFieldThePlaceAndTheFix) {
  EXPECT_EQ(Error("Hi\n  {{traits.name"),
            "subject: `{{` is not closed; end the placeholder with `}}` (line 2, column 3)");
  EXPECT_THAT(Error("{{ traits.a {{ traits.b }}"), HasSubstr("`{{` is not closed"));
  EXPECT_THAT(Error("{{}}"), HasSubstr("empty placeholder"));
  EXPECT_THAT(Error("{{traits..x}}"), HasSubstr("`traits..x` is not a value path"));
  EXPECT_THAT(Error("{{traits.first name}}"), HasSubstr("is not a value path"));
  EXPECT_THAT(Error("{{profile.name}}"),
              HasSubstr("unknown value `profile`; a placeholder starts with one of traits, event, "
                        "entry, journey, to"));
  EXPECT_THAT(Error("{{traits.x | upcase}}"), HasSubstr("unknown filter `upcase`"));
  EXPECT_THAT(Error("{{traits.x | default: two words}}"),
              HasSubstr("`default:` needs a value in quotes"));
}

TEST(TemplateTextTest, AnyInputParsesOrFailsCleanly) {
  std::mt19937 rng(7);
  const std::string alphabet = "{}|.:\"' abtraitsevent\n\\x";
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    size_t n = rng() % 40;
    for (size_t j = 0; j < n; ++j) text += alphabet[rng() % alphabet.size()];
    auto t = TemplateText::Parse(text, "body");
    if (t.ok()) (void)t->Render(json::object(), Escape::kHtml);  // renders or refuses: no crash
  }
}

// Step-aware values (issue 16): funnel.<id>.<field>, the field one of four; the funnels named are
// listed for the runtime, which fills them as of the send.
TEST(TemplateTextTest, FunnelValuesNameAFunnelAndOneOfItsFields) {
  auto t = TemplateText::Parse(
      "At {{funnel.onboarding.last_step_name}} ({{funnel.onboarding.last_step}}), next "
      "{{ funnel.onboarding.next_step_name | default: \"nothing\" }}; {{funnel.billing.next_step}}",
      "subject");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->FunnelIds(), (std::vector<std::string>{"onboarding", "billing"}));
  json vars = {{"funnel",
                {{"onboarding",
                  {{"last_step", 2}, {"last_step_name", "verify email"}, {"next_step_name", ""}}},
                 {"billing", {{"next_step", 1}}}}}};
  EXPECT_EQ(t->Render(vars, Escape::kNone), "At verify email (2), next nothing; 1");
  EXPECT_THAT(Error("{{funnel.onboarding}}"),
              HasSubstr("`funnel.onboarding` is not a funnel value"));
  EXPECT_THAT(Error("{{funnel.onboarding.stuck_for}}"), HasSubstr("is not a funnel value"));
  EXPECT_EQ(FunnelRefs("Hi {{traits.name}} at {{funnel.f.last_step}}"),
            std::vector<std::string>{"f"});
  EXPECT_TRUE(FunnelRefs("no placeholders").empty());
  EXPECT_TRUE(FunnelRefs("{{ unclosed").empty());
}

}  // namespace
// Next best action values (issue 17): next_best_action.<funnel id>, listed for the runtime with
// their prefix, rendered from the value it fills ("" when there is not enough evidence).
TEST(TemplateTextTest, NextBestActionValuesNameAFunnel) {
  auto t = TemplateText::Parse(
      "Try {{next_best_action.onb | default: \"anything\"}} ({{funnel.onb.last_step}})", "subject");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->FunnelIds(), (std::vector<std::string>{"next_best_action:onb", "onb"}));
  EXPECT_EQ(t->Render({{"next_best_action", {{"onb", "nudge/s1"}}}}, Escape::kNone),
            "Try nudge/s1 ()");
  EXPECT_EQ(t->Render({{"next_best_action", {{"onb", ""}}}}, Escape::kNone), "Try anything ()");
  EXPECT_THAT(Error("{{next_best_action}}"), HasSubstr("is not a next best action value"));
  EXPECT_THAT(Error("{{next_best_action.onb.x}}"), HasSubstr("is not a next best action value"));
}

}  // namespace signpost::delivery
