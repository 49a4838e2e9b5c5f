#include "analytics/event_catalog.h"

#include <gtest/gtest.h>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;

constexpr TimeMs kDay0 = 1'780'000'000'000 / kDayMs * kDayMs;  // a UTC midnight in 2026

const CatalogEvent* Find(const EventCatalogReport& r, std::string_view name) {
  for (const auto& e : r.events) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const CatalogProperty* Prop(const CatalogEvent& e, std::string_view path) {
  for (const auto& p : e.properties) {
    if (p.path == path) return &p;
  }
  return nullptr;
}

TEST(EventCatalog, NamesTypesPathsSharesAndHours) {
  EventCatalog c;
  uint64_t seq = 0;
  for (int i = 0; i < 3; ++i) {
    Event e = TrackEvent(++seq, kDay0 + i * kHourMs, "Order Completed",
                         R"({"total":12.5,"plan":"pro","cart":{"id":"c1"}})");
    e.context = R"({"library":{"name":"analytics.js","version":"2.1"}})";
    c.Observe(e);
  }
  c.Observe(TrackEvent(++seq, kDay0 + 3 * kHourMs, "Order Completed", R"({"total":"12"})"));
  c.Observe(TrackEvent(0, kDay0, "Not Committed"));  // seq 0: never counted
  Event identify;
  identify.type = EventType::kIdentify;
  identify.seq = ++seq;
  identify.timestamp = kDay0;
  identify.traits = R"({"email":"a@example.com"})";
  c.Observe(identify);
  c.SetSensitive({"traits.email"});

  const EventCatalogReport r =
      c.Report(kDay0 + 4 * kHourMs, {.search = "", .hours = 24}, {{"web", {"Order Completed"}}});
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].type, "identify");
  const CatalogEvent* order = Find(r, "Order Completed");
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->count, 4u);
  EXPECT_EQ(order->first_seen, kDay0);
  EXPECT_EQ(order->last_seen, kDay0 + 3 * kHourMs);
  ASSERT_EQ(order->hourly.size(), 4u);
  EXPECT_EQ(order->hourly[0].hour, kDay0);
  EXPECT_EQ(order->hourly[0].count, 1u);
  EXPECT_EQ(order->plans, std::vector<std::string>{"web"});
  const CatalogProperty* total = Prop(*order, "properties.total");
  ASSERT_NE(total, nullptr);
  ASSERT_EQ(total->types.size(), 2u);
  EXPECT_EQ(total->types[0].type, "number");
  EXPECT_DOUBLE_EQ(total->types[0].share, 0.75);
  EXPECT_EQ(total->types[1].type, "string");
  EXPECT_EQ(total->examples, (std::vector<std::string>{"12.5", "12"}));
  const CatalogProperty* plan = Prop(*order, "properties.plan");
  ASSERT_NE(plan, nullptr);
  EXPECT_DOUBLE_EQ(plan->presence, 0.75);
  EXPECT_NE(Prop(*order, "properties.cart.id"), nullptr);  // nested paths are dotted
  ASSERT_EQ(order->sources.size(), 2u);
  EXPECT_EQ(order->sources[0].library, "analytics.js");
  EXPECT_EQ(order->sources[0].count, 3u);
  // A sensitive property's examples are never kept, and shown masked.
  const CatalogProperty* email = Prop(*Find(r, ""), "traits.email");
  ASSERT_NE(email, nullptr);
  EXPECT_TRUE(email->sensitive);
  EXPECT_EQ(email->examples, std::vector<std::string>{"•••"});
  // Search by a property path.
  const EventCatalogReport found = c.Report(kDay0, {.search = "CART", .hours = 48}, {});
  ASSERT_EQ(found.events.size(), 1u);
  EXPECT_EQ(found.events[0].name, "Order Completed");
}

TEST(EventCatalog, CapsNamesPathsAndSamplesBusyNames) {
  CatalogLimits limits;
  limits.max_events = 2;
  limits.max_properties = 3;
  limits.profile_budget_per_day = 10;
  limits.profile_every = 5;
  EventCatalog c(limits);
  uint64_t seq = 0;
  for (int i = 0; i < 100; ++i) {
    c.Observe(TrackEvent(++seq, kDay0 + i, "A", R"({"a":1,"b":2,"c":3,"d":4,"e":5})"));
  }
  c.Observe(TrackEvent(++seq, kDay0, "B"));
  c.Observe(TrackEvent(++seq, kDay0, "C"));  // past the cap: counted only in events_over_cap
  const EventCatalogReport r = c.Report(kDay0 + kHourMs, {}, {});
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events_over_cap, 1u);
  const CatalogEvent& a = r.events[0];
  EXPECT_EQ(a.count, 100u);
  // The first 10 of the day, then 1 in 5 of the rest (counts 15, 20, ... 100): 10 + 18.
  EXPECT_EQ(a.profiled, 28u);
  EXPECT_EQ(a.properties.size(), 3u);
  EXPECT_EQ(a.properties_over_cap, 28u * 2);
}

TEST(EventCatalog, HourlyRingKeepsEightWeeks) {
  EventCatalog c;
  c.Observe(TrackEvent(1, kDay0, "A"));
  c.Observe(TrackEvent(2, kDay0 + 60 * kDayMs, "A"));  // the ring moves past the first hour
  c.Observe(TrackEvent(3, kDay0 - kDayMs, "A"));       // too old for the ring: counted only
  const EventCatalogReport r = c.Report(kDay0 + 60 * kDayMs, {.search = "", .hours = 1344}, {});
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].count, 3u);
  ASSERT_EQ(r.events[0].hourly.size(), 1u);
  EXPECT_EQ(r.events[0].first_seen, kDay0 - kDayMs);
}

}  // namespace
}  // namespace signpost::analytics
