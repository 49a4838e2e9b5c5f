#include "analytics/tracking_plan.h"

#include <gtest/gtest.h>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

constexpr const char* kPlan = R"(
kind: tracking_plan
id: web
mode: block
unplanned: flag
events:
  - event: Order Completed
    required: [order_id]
    properties:
      order_id: { type: string, pattern: "^o-[0-9]+$" }
      total: { type: number, minimum: 0 }
      plan: { type: string, enum: [free, pro] }
      items: { type: integer }
      address: { type: object, properties: { city: { type: string, required: true } } }
  - type: identify
    additional_properties: false
    properties:
      email: { type: string, max_length: 10 }
)";

std::vector<std::string> Rules(const std::vector<PlanViolation>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.property + " " + x.rule);
  return out;
}

TEST(TrackingPlan, ParsesAndChecksEachKeyword) {
  auto plan = ParseTrackingPlan(kPlan);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->mode, PlanMode::kBlock);
  ASSERT_EQ(plan->events.size(), 2u);
  auto check = [&](std::string name, std::string props) {
    return Rules(
        CheckAgainstPlan(*plan, testing::TrackEvent(1, 0, std::move(name), std::move(props))));
  };
  EXPECT_TRUE(
      check("Order Completed",
            R"({"order_id":"o-12","total":3,"plan":"pro","items":2,"address":{"city":"X"}})")
          .empty());
  EXPECT_EQ(check("Order Completed", R"({"total":"3"})"),
            (std::vector<std::string>{"properties.order_id required", "properties.total type"}));
  EXPECT_EQ(check("Order Completed", R"({"order_id":"x","total":-1,"plan":"gold","items":1.5})"),
            (std::vector<std::string>{"properties.order_id pattern", "properties.total minimum",
                                      "properties.plan enum", "properties.items type"}));
  EXPECT_EQ(check("Order Completed", R"({"order_id":"o-1","address":{}})"),
            (std::vector<std::string>{"properties.address.city required"}));
  EXPECT_EQ(check("Something Else", "{}"), (std::vector<std::string>{" unplanned"}));
  Event id;
  id.type = EventType::kIdentify;
  id.traits = R"({"email":"someone@example.com","age":3})";
  EXPECT_EQ(
      Rules(CheckAgainstPlan(*plan, id)),
      (std::vector<std::string>{"traits.email max_length", "traits.age additional_properties"}));
  // Malformed properties read as an empty object.
  EXPECT_EQ(check("Order Completed", "not json"),
            (std::vector<std::string>{"properties.order_id required"}));
}

TEST(TrackingPlan, ErrorsNameTheField) {
  auto bad = [](std::string text) { return ParseTrackingPlan(text).status().message(); };
  EXPECT_NE(bad("kind: tracking_plan\nid: p\nmode: warn\nevents: [{event: A}]").find("mode"),
            std::string::npos);
  EXPECT_NE(bad("kind: tracking_plan\nid: p\nevents: [{event: A, properties: {x: {type: text}}}]")
                .find("events[0].properties.x.type"),
            std::string::npos);
  EXPECT_NE(
      bad("kind: tracking_plan\nid: p\nevents: [{event: A, properties: {x: {pattern: '(a'}}}]")
          .find("events[0].properties.x.pattern"),
      std::string::npos);
  EXPECT_NE(bad("kind: tracking_plan\nid: p\nevents: [{event: A, properties: {x: {minimun: 1}}}]")
                .find("events[0].properties.x.minimun"),
            std::string::npos);
  EXPECT_NE(bad("kind: tracking_plan\nid: p\nevents: [{event: A}, {event: A}]").find("twice"),
            std::string::npos);
  // Nesting is bounded.
  std::string deep =
      "kind: tracking_plan\nid: p\nevents: [{event: A, properties: {a: {properties: "
      "{b: {properties: {c: {properties: {d: {properties: {e: {type: string}}}}}}}}}}}]";
  EXPECT_NE(bad(deep).find("deeper"), std::string::npos);
}

}  // namespace
}  // namespace signpost::analytics
