#include "goals/attribution.h"

#include <gtest/gtest.h>

#include "goals/goal_attained.h"

namespace signpost::goals {
namespace {

ProfileEvent Ev(TimeMs t, uint64_t seq, std::string_view name, std::string_view props = "{}") {
  return ProfileEvent{t, seq, name, props, ""};
}

TEST(Entries, ReadsEntryExitVariantAndHoldout) {
  std::vector<ProfileEvent> events = {
      Ev(10, 1, "Journey Entered", R"({"journey":"j","version":4,"entry":2,"holdout":true})"),
      Ev(10, 2, "Experiment Assigned", R"({"journey":"j","version":4,"entry":2,"variant":"b"})"),
      Ev(11, 3, "Experiment Assigned", R"({"journey":"j","version":4,"entry":2,"variant":"c"})"),
      Ev(50, 4, "Journey Exited", R"({"journey":"j","version":4,"entry":2,"reason":"suppressed"})"),
      Ev(60, 5, "Journey Exited", R"({"journey":"j","version":4,"entry":2,"reason":"completed"})"),
      Ev(70, 6, "Journey Exited", R"({"journey":"j","version":4,"entry":3,"reason":"completed"})"),
      Ev(80, 7, "Journey Entered", R"({"journey":"j","version":4,"entry":2})"),
      Ev(90, 8, "Journey Entered", "not json"),
  };
  std::vector<EntryRecord> entries = Entries(events);
  ASSERT_EQ(entries.size(),
            1u);  // the exit of entry 3, the repeated entry 2 and bad JSON are ignored
  const EntryRecord& e = entries[0];
  EXPECT_EQ(e.journey, "j");
  EXPECT_EQ(e.entry, 2u);
  EXPECT_EQ(e.version, 4u);
  EXPECT_EQ(e.entered_at, 10);
  EXPECT_EQ(e.entered_seq, 1u);
  EXPECT_TRUE(e.holdout);
  EXPECT_EQ(e.variant, "b");  // the first assignment
  ASSERT_TRUE(e.exited_at.has_value());
  EXPECT_EQ(*e.exited_at, 50);  // the first exit ends the entry
  EXPECT_EQ(e.exit_reason, "suppressed");
}

TEST(AttributeProfile, NoJourneysOrNoEntriesGiveNoCredits) {
  std::vector<ProfileEvent> events = {Ev(1, 1, "Order Completed")};
  EXPECT_TRUE(AttributeProfile({}, events).empty());
  JourneyGoal jg{JourneyId("j"),
                 *ParseGoal(YAML::Load("{ type: custom, met_when: Order Completed }"), "goal")};
  EXPECT_TRUE(AttributeProfile(std::span(&jg, 1), events).empty());
}

TEST(AttributeProfile, ConditionsReadTheHitsProperties) {
  JourneyGoal jg{
      JourneyId("j"),
      *ParseGoal(YAML::Load("{ type: drive_purchase, met_when: { event: Order Completed, "
                            "where: { properties.total: { '>=': 10 } } } }"),
                 "goal")};
  std::vector<ProfileEvent> events = {
      Ev(0, 1, "Journey Entered", R"({"journey":"j","version":1,"entry":1})"),
      Ev(5, 2, "Order Completed", R"({"total":9.5})"),
      Ev(6, 3, "Order Completed", ""),
      Ev(7, 4, "Order Completed", R"({"total":10})"),
  };
  std::vector<Credit> credits = AttributeProfile(std::span(&jg, 1), events);
  ASSERT_EQ(credits.size(), 1u);
  EXPECT_EQ(credits[0].hit_at, 7);
  EXPECT_EQ(credits[0].hit_seq, 4u);
}

TEST(ExitListens, OnlyCompletedAndJourneyEnded) {
  EXPECT_TRUE(ExitListens("completed"));
  EXPECT_TRUE(ExitListens("journey_stopped"));
  EXPECT_TRUE(ExitListens("journey_completed"));
  EXPECT_FALSE(ExitListens("suppressed"));
  EXPECT_FALSE(ExitListens(""));
}

}  // namespace
}  // namespace signpost::goals

namespace signpost::goals {
namespace {

TEST(GoalAttained, PropertiesOfTheSystemEvent) {
  Credit c;
  c.journey = JourneyId("cart");
  c.version = 3;
  c.entry = 2;
  c.entered_at = 0;
  c.hit_at = 90 * kMinuteMs;
  c.hit_event = "Order Completed";
  c.hit_message_id = "m-17";
  nlohmann::json p = GoalAttainedProperties(c, GoalType::kDrivePurchase);
  EXPECT_EQ(p, nlohmann::json::parse(
                   R"({"journey":"cart","version":3,"entry":2,"goal_type":"drive_purchase",
      "hit_event":"Order Completed","hit_message_id":"m-17","hit_at":"1970-01-01T01:30:00.000Z",
      "entered_at":"1970-01-01T00:00:00.000Z"})"));
}

}  // namespace
}  // namespace signpost::goals
