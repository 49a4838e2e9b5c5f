// The event catalog and drift through the Engine (catalog_service.h).
#include "engine/catalog_service.h"

#include "engine/test_support.h"
#include "signpost/event_catalog.h"

namespace signpost {
namespace {

class CatalogServiceTest : public EngineFixture<> {
 protected:
  std::string StartAt() const override { return "2026-11-01T00:00:00Z"; }
};

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
    auto drift = SchemaDriftOf(*engine_);
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
  auto catalog = EventCatalogOf(*engine_, {.search = "verified", .hours = 0});
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_EQ(catalog->events.size(), 2u);  // Email Verified and email_verified
  EXPECT_EQ(catalog->events[0].name, "Email Verified");
  EXPECT_EQ(catalog->events[0].count, 120u);
  EXPECT_EQ(catalog->events[1].count, 12u);
  // A restart: the catalog is read back from the stored events, the findings are the same.
  Reopen();
  check();
}

}  // namespace
}  // namespace signpost
