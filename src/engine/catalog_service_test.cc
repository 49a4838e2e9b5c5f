// The event catalog, tracking plans and drift through the Engine (catalog_service.h).
#include "engine/catalog_service.h"

#include "engine/test_support.h"
#include "signpost/alerts.h"
#include "signpost/event_catalog.h"

namespace signpost {
namespace {

class CatalogServiceTest : public EngineFixture<> {
 protected:
  std::string StartAt() const override { return "2026-11-01T00:00:00Z"; }
};

constexpr const char* kBlockPlan = R"(
kind: tracking_plan
id: web
mode: block
events:
  - event: Order Completed
    required: [order_id]
    properties:
      order_id: { type: string }
      total: { type: number }
)";

TEST_F(CatalogServiceTest, PlanInBlockModeSendsTheBadItemToDeadLettersWithTheRule) {
  Apply(kBlockPlan);
  const TimeMs now = clock_.NowMs();
  auto r = engine_->IngestEvents(
      {Track("u1", "Order Completed", now, {{"order_id", "o1"}, {"total", 3}}),
       Track("u2", "Order Completed", now, {{"order_id", "o2"}, {"total", "3"}})});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1u);
  ASSERT_EQ(r->rejections.size(), 1u);
  EXPECT_EQ(r->rejections[0].field, "properties.total");
  EXPECT_NE(r->rejections[0].reason.find("tracking plan 'web' (version 1, mode block)"),
            std::string::npos);
  EXPECT_NE(r->rejections[0].reason.find("properties.total: expected number, got string"),
            std::string::npos)
      << r->rejections[0].reason;
  // Never silently dropped: a dead letter naming the rule, the item kept as JSON.
  auto letters = engine_->ListDeadLetters(10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->dead_letters.size(), 1u);
  const DeadLetterInfo& d = letters->dead_letters[0];
  EXPECT_EQ(d.source, "tracking_plan");
  EXPECT_NE(d.rejection.reason.find("rule: type"), std::string::npos);
  EXPECT_NE(d.rejection.raw.find("\"messageId\":\"m2\""), std::string::npos);
  // The catalog counts the committed event and the violation.
  auto catalog = engine_->EventCatalog({});
  ASSERT_TRUE(catalog.ok());
  ASSERT_EQ(catalog->events.size(), 1u);
  EXPECT_EQ(catalog->events[0].count, 1u);
  EXPECT_EQ(catalog->events[0].plans, std::vector<std::string>{"web"});
  ASSERT_EQ(catalog->events[0].violations.size(), 1u);
  EXPECT_EQ(catalog->events[0].violations[0].property, "properties.total");
  EXPECT_EQ(catalog->events[0].violations[0].blocked, 1u);
  EXPECT_EQ(catalog->plans, std::vector<std::string>{"web@1 (block)"});
  // Re-imported while the plan still refuses it: it stays.
  auto again = engine_->ReimportDeadLetters({d.id});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 0u);
  EXPECT_EQ(engine_->ListDeadLetters(10)->dead_letters.size(), 1u);
  // Version 2 flags instead: the re-import is accepted and the letter goes.
  std::string flag = kBlockPlan;
  flag.replace(flag.find("mode: block"), 11, "mode: flag");
  Apply(flag);
  again = engine_->ReimportDeadLetters({d.id});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 1u);
  EXPECT_TRUE(engine_->ListDeadLetters(10)->dead_letters.empty());
  catalog = engine_->EventCatalog({});
  EXPECT_EQ(catalog->events[0].count, 2u);
  EXPECT_EQ(catalog->events[0].violations[0].count, 3u);  // blocked twice, flagged once
}

TEST_F(CatalogServiceTest, RenameNamesTheFunnelStepAndSurvivesARestart) {
  Apply(R"(
kind: funnel
id: signup
steps:
  - { name: Signed Up, event: Signed Up }
  - { name: Verified, event: Email Verified, where: { properties.method: link } }
)");
  const TimeMs start = clock_.NowMs();
  for (int day = 0; day < 11; ++day) {
    std::vector<Event> events;
    for (int h = 0; h < 24; h += 2) {
      const TimeMs at = start + day * kDayMs + h * kHourMs;
      events.push_back(Track("u" + std::to_string(h),
                             day < 10 ? "Email Verified" : "email_verified", at,
                             {{"method", "link"}}));
      events.push_back(Track("u" + std::to_string(h), "Signed Up", at,
                             {{"plan", day < 10 ? nlohmann::json("pro") : nlohmann::json(2)}}));
    }
    clock_.Set(start + day * kDayMs + 23 * kHourMs);
    Ingest(std::move(events));
  }
  clock_.Set(start + 10 * kDayMs + 23 * kHourMs);
  auto check = [&] {
    auto drift = engine_->SchemaDrift();
    ASSERT_TRUE(drift.ok()) << drift.status().ToString();
    std::vector<std::string> keys;
    for (const auto& f : drift->findings) keys.push_back(f.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"drift:type_change:Signed Up:properties.plan",
                                              "drift:rename:Email Verified"}));
    for (const auto& f : drift->findings) {
      if (f.kind != DriftKind::kLikelyRename) continue;
      EXPECT_EQ(f.suggestion, "email_verified");
      EXPECT_EQ(f.first_detected, start + 10 * kDayMs);
      ASSERT_EQ(f.affected.size(), 1u);
      EXPECT_EQ(f.affected[0].kind, "funnel");
      EXPECT_EQ(f.affected[0].id, "signup");
      EXPECT_EQ(f.affected[0].where, "step 2 'Verified'");
    }
  };
  check();
  auto catalog = engine_->EventCatalog({.search = "verified", .hours = 0});
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_EQ(catalog->events.size(), 2u);  // Email Verified and email_verified
  EXPECT_EQ(catalog->events[0].name, "Email Verified");
  EXPECT_EQ(catalog->events[0].count, 120u);
  EXPECT_EQ(catalog->events[1].count, 12u);
  // A restart: the catalog is read back from the stored events, the findings are the same.
  Reopen();
  check();
  // The rename is an alert (engine_alerts.cc): one incident naming the step and the new name. The
  // type change is not: nothing reads properties.plan.
  ASSERT_TRUE(engine_->EvaluateAlerts().ok());
  AlertQuery drift_alerts;
  drift_alerts.kind = "schema_drift";
  AlertList alerts = engine_->Alerts(drift_alerts);
  ASSERT_EQ(alerts.incidents.size(), 1u);
  const AlertFinding& f = alerts.incidents[0].finding;
  EXPECT_EQ(f.key, "drift:rename:Email Verified");
  EXPECT_EQ(f.severity, AlertSeverity::kCritical);
  EXPECT_EQ(f.affected, std::vector<std::string>{"funnel/signup#step 2 'Verified'"});
  EXPECT_NE(f.detail.find("`email_verified`"), std::string::npos) << f.detail;
  ASSERT_TRUE(engine_->EvaluateAlerts().ok());
  EXPECT_EQ(engine_->Alerts(drift_alerts).incidents.size(), 1u) << "deduplicated by key";
}

}  // namespace
}  // namespace signpost
