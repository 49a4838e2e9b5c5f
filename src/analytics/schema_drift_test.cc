#include "analytics/schema_drift.h"

#include <gtest/gtest.h>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;

constexpr TimeMs kDriftDay0 = 1'780'000'000'000 / kDayMs * kDayMs;  // a UTC midnight in 2026

// `per_hour` events of `name` every hour of days [from, to).
void SteadyEvents(EventCatalog& c, uint64_t& seq, const std::string& name, int from, int to,
                  int per_hour, const std::string& props = "{}") {
  for (int d = from; d < to; ++d) {
    for (int h = 0; h < 24; ++h) {
      for (int i = 0; i < per_hour; ++i) {
        c.Observe(TrackEvent(++seq, kDriftDay0 + d * kDayMs + h * kHourMs + i * 1000, name, props));
      }
    }
  }
}

const DriftFinding* Kind(const std::vector<DriftFinding>& f, DriftKind kind) {
  for (const auto& x : f) {
    if (x.kind == kind) return &x;
  }
  return nullptr;
}

const std::vector<DefinitionRead> kReads = {
    {{"funnel", "signup", "step 2 'Verified'"}, "Email Verified", {"properties.method"}},
    {{"journey", "welcome", "trigger"}, "Order Completed", {"properties.plan"}},
    {{"segment", "buyers", "rule"}, "Order Completed", {}},
};

TEST(SchemaDrift, RenameSuggestsTheNewNameAndNamesTheFunnelStep) {
  EventCatalog c;
  uint64_t seq = 0;
  SteadyEvents(c, seq, "Email Verified", 0, 10, 4, R"({"method":"link"})");
  SteadyEvents(c, seq, "email_verified", 10, 11, 4, R"({"method":"link"})");
  const TimeMs now = kDriftDay0 + 10 * kDayMs + 20 * kHourMs;
  const auto findings = EvaluateDrift(c, now, kReads);
  ASSERT_EQ(findings.size(), 1u) << findings[0].title;
  const DriftFinding& f = findings[0];
  EXPECT_EQ(f.kind, DriftKind::kLikelyRename);
  EXPECT_EQ(f.key, "drift:rename:Email Verified");
  EXPECT_EQ(f.suggestion, "email_verified");
  EXPECT_EQ(f.first_detected, kDriftDay0 + 10 * kDayMs);
  ASSERT_EQ(f.affected.size(), 1u);
  EXPECT_EQ(f.affected[0].kind, "funnel");
  EXPECT_EQ(f.affected[0].where, "step 2 'Verified'");
  // Evaluated again later: the same key and first detection.
  const auto later = EvaluateDrift(c, now + 3 * kHourMs, kReads);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].key, f.key);
  EXPECT_EQ(later[0].first_detected, f.first_detected);
}

TEST(SchemaDrift, StopsAreReportedAfterTenExpectedEventsOnly) {
  EventCatalog c;
  uint64_t seq = 0;
  SteadyEvents(c, seq, "Order Completed", 0, 10, 2);
  SteadyEvents(c, seq, "Page Viewed", 0, 12, 2);
  const TimeMs last = kDriftDay0 + 10 * kDayMs - kHourMs + 1000;  // the last Order Completed
  // 2 an hour: 10 expected after 5 hours.
  EXPECT_EQ(Kind(EvaluateDrift(c, last + 4 * kHourMs, kReads), DriftKind::kEventStopped), nullptr);
  const auto f = EvaluateDrift(c, kDriftDay0 + 12 * kDayMs, kReads);
  const DriftFinding* stop = Kind(f, DriftKind::kEventStopped);
  ASSERT_NE(stop, nullptr);
  EXPECT_EQ(stop->key, "drift:event_stopped:Order Completed");
  EXPECT_EQ(stop->first_detected, last + 5 * kHourMs);
  ASSERT_EQ(stop->affected.size(), 2u);  // the journey's trigger and the segment
  EXPECT_EQ(Kind(f, DriftKind::kLikelyRename), nullptr);
}

TEST(SchemaDrift, TypeChangeNamesThePropertyAndItsReaders) {
  EventCatalog c;
  uint64_t seq = 0;
  SteadyEvents(c, seq, "Order Completed", 0, 10, 2, R"({"plan":"pro"})");
  SteadyEvents(c, seq, "Order Completed", 10, 11, 2, R"({"plan":3})");
  const auto f = EvaluateDrift(c, kDriftDay0 + 10 * kDayMs + 23 * kHourMs, kReads);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, DriftKind::kTypeChange);
  EXPECT_EQ(f[0].property, "properties.plan");
  EXPECT_EQ(f[0].key, "drift:type_change:Order Completed:properties.plan");
  EXPECT_NE(f[0].title.find("string → number"), std::string::npos);
  EXPECT_EQ(f[0].first_detected, kDriftDay0 + 10 * kDayMs);
  ASSERT_EQ(f[0].affected.size(), 1u);
  EXPECT_EQ(f[0].affected[0].id, "welcome");
}

TEST(SchemaDrift, MissingPropertyAndNewEvent) {
  EventCatalog c;
  uint64_t seq = 0;
  SteadyEvents(c, seq, "Order Completed", 0, 10, 2, R"({"plan":"pro","total":3})");
  SteadyEvents(c, seq, "Order Completed", 10, 11, 2, R"({"total":3})");
  SteadyEvents(c, seq, "Coupon Applied", 10, 11, 1);
  const auto f = EvaluateDrift(c, kDriftDay0 + 10 * kDayMs + 23 * kHourMs, kReads);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, DriftKind::kNewEvent);
  EXPECT_EQ(f[0].key, "drift:new_event:Coupon Applied");
  EXPECT_EQ(f[1].kind, DriftKind::kPropertyMissing);
  EXPECT_EQ(f[1].property, "properties.plan");
  EXPECT_EQ(f[1].first_detected, kDriftDay0 + 10 * kDayMs);
  ASSERT_EQ(f[1].affected.size(), 1u);
}

TEST(SchemaDrift, NormalizedNames) {
  EXPECT_EQ(NormalizedEventName("Email Verified"), NormalizedEventName("email_verified"));
  EXPECT_NE(NormalizedEventName("Email Verified"), NormalizedEventName("Email Sent"));
}

}  // namespace
}  // namespace signpost::analytics
