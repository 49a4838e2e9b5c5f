#include "experiments/experiment_money.h"

#include <gtest/gtest.h>

#include <string>

namespace signpost::experiments {
namespace {

const std::map<std::string, double, std::less<>> kCosts = {
    {"email", 0.001}, {"sms", 0.05}, {"push", 0}};

TEST(CostPerProgressed, MessagesTimesCostOverProgressed) {
  auto cost = CostPerProgressed({{"email", 1000}, {"sms", 200}, {"push", 5000}}, kCosts, 110);
  ASSERT_TRUE(cost.ok()) << cost.status().ToString();
  EXPECT_NEAR(cost->total_cost, 1.0 + 10.0, 1e-12);
  EXPECT_EQ(cost->progressed, 110u);
  ASSERT_TRUE(cost->cost_per_progressed.has_value());
  EXPECT_NEAR(*cost->cost_per_progressed, 0.1, 1e-12);
}

TEST(CostPerProgressed, NobodyProgressedHasNoPerProfileCost) {
  auto cost = CostPerProgressed({{"sms", 10}}, kCosts, 0);
  ASSERT_TRUE(cost.ok());
  EXPECT_NEAR(cost->total_cost, 0.5, 1e-12);
  EXPECT_FALSE(cost->cost_per_progressed.has_value());
}

TEST(CostPerProgressed, ChannelWithoutACostIsAnError) {
  auto cost = CostPerProgressed({{"email", 1}, {"whatsapp", 3}}, kCosts, 1);
  ASSERT_FALSE(cost.ok());
  EXPECT_NE(cost.status().message().find("costs.whatsapp"), std::string::npos);
  // A channel that sent nothing needs no cost.
  EXPECT_TRUE(CostPerProgressed({{"whatsapp", 0}}, kCosts, 1).ok());
  EXPECT_FALSE(CostPerProgressed({{"sms", 1}}, {{"sms", -1}}, 1).ok());
}

TEST(SumRevenue, CompensatesRounding) {
  // Ten times 0.1 naively sums to 0.9999999999999999.
  EXPECT_EQ(SumRevenue(std::vector<double>(10, 0.1)), 1.0);
  EXPECT_EQ(SumRevenue({1e16, 1.0, -1e16}), 1.0);
  EXPECT_EQ(SumRevenue({}), 0.0);
}

TEST(RevenueByGroup, SumsAndPerProfileFiguresInOrderOfFirstAppearance) {
  // {group, revenue of the credited goal hit, lifetime revenue}
  auto groups = RevenueByGroup({{"step 3", 30, 45},
                                {"step 1", 0, 0},
                                {"step 3", 50, 50},
                                {"step 1", 10, 10},
                                {"step 1", 5, 20},
                                {"step 2", 12.5, 12.5}});
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].group, "step 3");
  EXPECT_EQ(groups[0].profiles, 2u);
  EXPECT_DOUBLE_EQ(groups[0].revenue, 80);
  EXPECT_DOUBLE_EQ(groups[0].per_profile, 40);
  EXPECT_DOUBLE_EQ(groups[0].lifetime, 95);
  EXPECT_DOUBLE_EQ(groups[0].ltv, 47.5);
  EXPECT_EQ(groups[1].group, "step 1");
  EXPECT_EQ(groups[1].profiles, 3u);  // the profile with 0 revenue counts
  EXPECT_DOUBLE_EQ(groups[1].per_profile, 5);
  EXPECT_DOUBLE_EQ(groups[1].ltv, 10);
  EXPECT_DOUBLE_EQ(groups[2].per_profile, 12.5);
  EXPECT_DOUBLE_EQ(groups[2].ltv, 12.5);
  EXPECT_TRUE(RevenueByGroup({}).empty());
}

}  // namespace
}  // namespace signpost::experiments
