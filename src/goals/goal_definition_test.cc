#include "goals/goal_definition.h"

#include <gtest/gtest.h>

namespace signpost::goals {
namespace {

TEST(GoalDefinition, ParsesTypeTriggerConditionsAndTarget) {
  auto goal = ParseGoal(
      YAML::Load("{ type: increase_loyalty, met_when: { event: Points Redeemed, "
                 "where: { properties.points: { gt: 100 }, properties.tier: [gold, silver] } }, "
                 "target: { count: 250 } }"),
      "goal");
  ASSERT_TRUE(goal.ok()) << goal.status().message();
  EXPECT_EQ(goal->type, GoalType::kIncreaseLoyalty);
  EXPECT_EQ(goal->met_when, MetWhenKind::kEvent);
  EXPECT_EQ(goal->trigger.event, "Points Redeemed");
  ASSERT_EQ(goal->trigger.where.size(), 2u);
  ASSERT_TRUE(goal->target.has_value());
  EXPECT_EQ(goal->target->kind, GoalTarget::Kind::kCount);
  EXPECT_EQ(goal->target->value, 250);
  nlohmann::json j = ToJson(*goal);
  EXPECT_EQ(j["type"], "increase_loyalty");
  EXPECT_EQ(j["met_when"]["event"], "Points Redeemed");
  EXPECT_EQ(j["met_when"]["where"]["properties.points"][">"], "100");
  EXPECT_EQ(j["target"]["count"], 250);
}

TEST(GoalDefinition, BareEventNameAndBlankTarget) {
  auto goal =
      ParseGoal(YAML::Load("{ type: custom, met_when: Checkout Complete, target: }"), "goal");
  ASSERT_TRUE(goal.ok()) << goal.status().message();
  EXPECT_EQ(goal->trigger.event, "Checkout Complete");
  EXPECT_FALSE(goal->target.has_value());
  EXPECT_TRUE(ToJson(*goal)["target"].is_null());
}

TEST(GoalDefinition, JsonFormAsJourneysKeepIt) {
  nlohmann::json block = {{"type", "general_notification"},
                          {"met_when", "clicked_any_message"},
                          {"target", {{"percent", 12.5}}}};
  auto goal = ParseGoalJson(block, "goal");
  ASSERT_TRUE(goal.ok()) << goal.status().message();
  EXPECT_EQ(goal->met_when, MetWhenKind::kClickedAnyMessage);
  EXPECT_EQ(goal->target->kind, GoalTarget::Kind::kPercent);
  EXPECT_DOUBLE_EQ(goal->target->value, 12.5);
  auto bad = ParseGoalJson({{"type", "custom"}, {"met_when", {{"event", "Goal Attained"}}}},
                           "journeys[2].goal");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind(
                "journeys[2].goal.met_when.event: system events such as Goal Attained", 0),
            0u)
      << bad.status().message();
}

TEST(GoalDefinition, SameTriggerIgnoresConditionOrderButNotValues) {
  auto parse = [](const char* text) { return *ParseGoal(YAML::Load(text), "goal"); };
  GoalDefinition a = parse(
      "{ type: custom, met_when: { event: A, where: { properties.x: 1, properties.y: { gt: 2 } } } "
      "}");
  GoalDefinition b = parse(
      "{ type: drive_purchase, met_when: { event: A, where: { properties.y: { gt: 2 }, "
      "properties.x: 1 } } }");
  GoalDefinition c = parse(
      "{ type: custom, met_when: { event: A, where: { properties.x: 2, properties.y: { gt: 2 } } } "
      "}");
  GoalDefinition opens = parse("{ type: general_notification, met_when: opened_any_message }");
  EXPECT_TRUE(SameTrigger(a, b));
  EXPECT_FALSE(SameTrigger(a, c));
  EXPECT_FALSE(SameTrigger(opens, opens));
}

TEST(GoalDefinition, OneGoalJourneyPasses) {
  EXPECT_TRUE(CheckOneGoal(YAML::Load("{ id: j, goal: { type: custom, met_when: A } }")).ok());
  Status two = CheckOneGoal(YAML::Load("{ id: j, goals: [] }"));
  EXPECT_NE(two.message().find("one goal per journey"), std::string::npos) << two.message();
}

}  // namespace
}  // namespace signpost::goals
