// Queries read from JSON as the HTTP API and the command line send them: every field, and the
// message of a bad value (moved here from the analytics and engine tests with the parsing).
#include "wire/wire.h"

#include <gtest/gtest.h>

#include "wire/step_json.h"

namespace signpost::wire {
namespace {

using nlohmann::json;

TEST(FunnelQueryJson, ReadsTheEngineQueryDocument) {
  json q = {{"window", "14d"},
            {"order", "strict"},
            {"entry", "first_entry"},
            {"from", "2024-01-01"},
            {"to", 1704153600000},
            {"breakdown", "traits.plan"},
            {"breakdown_attribution", "step:2"},
            {"top", 5},
            {"completion_windows", "7d,14d,30d"},
            {"trend", "week"},
            {"dropped_at", "2"},
            {"segment", "vip"},
            {"steps", "A>B>C"}};
  auto people = ParseFunnelPeopleQuery("", q);
  ASSERT_TRUE(people.ok()) << people.status().ToString();
  const FunnelQuery& f = people->funnel;
  EXPECT_EQ(f.steps, "A>B>C");
  EXPECT_EQ(*f.window, 14 * kDayMs);
  EXPECT_EQ(*f.order, FunnelOrder::kStrict);
  EXPECT_EQ(*f.entry, FunnelEntry::kFirstEntry);
  EXPECT_EQ(*f.from, 1704067200000);
  EXPECT_EQ(*f.to, 1704153600000);
  EXPECT_EQ(f.breakdown, "traits.plan");
  EXPECT_EQ(f.breakdown_attribution->kind, BreakdownAttribution::kStep);
  EXPECT_EQ(f.breakdown_attribution->step, 2);
  EXPECT_EQ(*f.top, 5);
  EXPECT_EQ(*f.completion_windows, (std::vector<DurationMs>{7 * kDayMs, 14 * kDayMs, 30 * kDayMs}));
  EXPECT_EQ(f.trend, TrendUnit::kWeek);
  EXPECT_EQ(f.segment, "vip");
  EXPECT_EQ(people->dropped_at, 2);

  auto message = [](const json& query) { return ParseFunnelQuery("", query).status().message(); };
  EXPECT_EQ(message({{"trend", "month"}}), "query.trend: unknown unit 'month'; use day or week");
  EXPECT_EQ(message({{"order", "zigzag"}}),
            "query.order: unknown order 'zigzag'; use ordered, strict or any");
  EXPECT_EQ(message({{"top", "0"}}), "query.top: must be at least 1");
  EXPECT_EQ(message({{"completion_windows", json::array({1})}}),
            "query.completion_windows[]: expected a string");
  EXPECT_FALSE(ParseFunnelQuery("", {{"from", "yesterday"}}).ok());
  EXPECT_FALSE(ParseFunnelQuery("", {{"completed", "x"}}).ok());  // checked for reports too
}

TEST(FunnelQueryJson, AStoredFunnelReadsItsVersionAnAdHocOneItsSteps) {
  auto stored = ParseFunnelQuery("f", {{"version", "3"}, {"steps", "A>B"}});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->id, "f");
  EXPECT_EQ(stored->version, 3u);
  EXPECT_EQ(stored->steps, "");
  EXPECT_EQ(ParseFunnelQuery("f", {{"version", "x"}}).status().message(),
            "version: 'x' is not a whole number");
  auto adhoc = ParseFunnelQuery("", {{"version", "x"}, {"definition", {{"id", "d"}}}});
  ASSERT_TRUE(adhoc.ok());
  EXPECT_EQ(adhoc->definition, R"({"id":"d"})");
}

TEST(FunnelQueryJson, PeopleRows) {
  FunnelPeople people;
  FunnelPerson& p = people.people.emplace_back();
  p.profile = ProfileId(4);
  p.last_step = 2;
  p.last_step_name = "B";
  p.last_step_at = 0;
  p.stuck_ms = 5;
  p.identities = {"user:4"};
  json j = ToJson(people);
  EXPECT_EQ(j["funnel"], "ad-hoc");
  EXPECT_EQ(j["count"], 1);
  EXPECT_EQ(j["people"][0]["profile"], 4);
  EXPECT_EQ(j["people"][0]["last_step_at"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(j["people"][0]["stuck_ms"], 5);
  EXPECT_EQ(j["people"][0]["identities"], json::array({"user:4"}));
}

TEST(GoalQueryJson, ReadsRangeTrendAndSegments) {
  auto q = ParseGoalReportQuery(
      {{"from", "2026-11-01"}, {"to", "2026-11-02"}, {"trend", "week"}, {"segment", "a,,b,"}});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_TRUE(q->from && q->to);
  EXPECT_EQ(q->trend, TrendUnit::kWeek);
  EXPECT_EQ(q->segments, (std::vector<SegmentId>{SegmentId("a"), SegmentId("b")}));
  EXPECT_EQ(ParseGoalReportQuery({{"trend", "month"}}).status().message(),
            "trend: use day or week");
  EXPECT_EQ(ParseGoalReportQuery({{"from", "x"}}).status().code(), Code::kInvalidArgument);
}

TEST(MoneyQueryJson, ReadsCostsPerChannel) {
  auto q = ParseMoneyQuery(
      {{"cost.email", "0.01"}, {"cost.sms", 2}, {"funnel", "f"}, {"revenue", "amount"}});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->costs, (std::map<std::string, double>{{"email", 0.01}, {"sms", 2}}));
  EXPECT_EQ(q->funnel, "f");
  EXPECT_EQ(q->revenue, "amount");
  auto bad = ParseMoneyQuery({{"cost.email", "-1"}});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "cost.email: '-1' is not a cost; give an amount >= 0 such as 0.002");
}

TEST(ReplayRequestJson, NeedsAJourneyAndAWindow) {
  auto r = ParseReplayRequest({{"journey", "j"}, {"from", "2026-11-01"}, {"to", "2026-11-02"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->to - r->from, kDayMs);
  EXPECT_EQ(ParseReplayRequest({{"from", "2026-11-01"}}).status().message(),
            "journey: missing; name the journey to replay");
  EXPECT_EQ(ParseReplayRequest({{"journey", "j"}, {"from", "2026-11-02"}, {"to", "2026-11-01"}})
                .status()
                .message(),
            "to: must be after from");
}

TEST(JourneyViewJson, AFunnelStepEntryIsWritten) {
  JourneyView j;
  j.id = JourneyId("unstick");
  j.entry.reentry = "once";
  j.entry.funnel_step = JourneyView::Entry::FunnelStep{FunnelId("onboarding"), 2, true, kDayMs};
  json entry = ToJson(j)["entry"];
  EXPECT_EQ(entry, json::parse(R"({"reentry": "once", "funnel_step": {"funnel": "onboarding",
      "step": 2, "on": "stalled", "after": "1d", "after_ms": 86400000}})"));
}

TEST(FunnelStuckJson, StepAndTimeBoundedAndTheRuleWritten) {
  auto q = ParseFunnelStuckQuery("onboarding", {{"step", "2"}});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->funnel, FunnelId("onboarding"));
  EXPECT_EQ(q->step, 2);
  EXPECT_EQ(q->stuck_for, 2 * kDayMs);  // the default
  EXPECT_FALSE(ParseFunnelStuckQuery("f", json::object()).ok());
  EXPECT_FALSE(ParseFunnelStuckQuery("f", {{"step", 0}}).ok());
  EXPECT_FALSE(ParseFunnelStuckQuery("f", {{"step", 1}, {"for", "366d"}}).ok());
  EXPECT_FALSE(ParseFunnelStuckQuery("f", {{"step", 1}, {"for", "0s"}}).ok());
  FunnelStuck s;
  s.funnel = FunnelId("onboarding");
  s.step = 2;
  s.next_step = 3;
  s.stuck_for = 36 * kHourMs;
  s.people = 7;
  json out = ToJson(s);
  EXPECT_EQ(out["people"], 7);
  EXPECT_EQ(out["for"], "1d12h");
  EXPECT_EQ(out["rule"], json::parse(R"({"funnel": {"id": "onboarding", "reached": 2,
      "not_reached": 3, "stuck_for": {"gt": "1d12h"}}})"));
}

}  // namespace
}  // namespace signpost::wire
