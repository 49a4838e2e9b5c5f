// Retention (`kind: settings`, section retention) on the test clock: events older than their
// period leave the store, the index and the funnels; younger ones stay; per-name periods override
// the global one; reports over older periods say so; the settings' errors name the field.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "engine/settings.h"
#include "engine/test_support.h"

namespace signpost {
namespace {

using engine::ParseSettings;
using engine::SettingsBody;

class RetentionTest : public EngineFixture<> {
 protected:
  void SetRetention(std::string_view section) {
    Apply(fmt::format("kind: settings\nid: global\nretention: {}\n", section));
  }
  nlohmann::json FunnelJson(std::string_view steps) {
    FunnelQuery q;
    q.steps = std::string(steps);
    auto r = engine_->Funnel(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? wire::ToJson(*r) : nlohmann::json();
  }
  std::vector<std::string> NamesOf(std::string_view who) {
    auto list = engine_->ProfileEvents(who, 0);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    std::vector<std::string> out;
    if (list.ok()) {
      for (const Event& e : list->events) out.push_back(e.event);
    }
    return out;
  }
  // True when some file of the data folder holds `needle`.
  bool FolderHolds(const std::string& needle) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (bytes.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

TEST_F(RetentionTest, OlderEventsGoYoungerStayPerNameOverridesAndBytesLeaveTheFolder) {
  const TimeMs now = clock_.NowMs();
  Ingest({Track("ann", "Signed Up", now - 500 * kDayMs, {{"note", "zq-expired-4d1f"}}),
          Track("ann", "Order Completed", now - 499 * kDayMs),
          Track("ann", "Page Viewed", now - 40 * kDayMs),
          Track("bob", "Signed Up", now - 100 * kDayMs),
          Track("bob", "Order Completed", now - 98 * kDayMs),
          Track("bob", "Page Viewed", now - 10 * kDayMs)});
  EXPECT_EQ(FunnelJson("Signed Up>Order Completed")["steps"][1]["count"], 2);

  // Without retention nothing goes, and the report has no retention field.
  auto none = engine_->EnforceRetention();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->events_removed, 0u);
  EXPECT_FALSE(FunnelJson("Signed Up>Order Completed").contains("retention"));

  SetRetention(R"({ events: 400d, by_event: { "Page Viewed": 30d } })");
  auto report = engine_->EnforceRetention();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->events_removed, 3u);  // ann's two over 400d, ann's page view over 30d
  EXPECT_TRUE(report->purged);
  ASSERT_TRUE(report->oldest_kept.has_value());
  EXPECT_EQ(*report->oldest_kept, now - 100 * kDayMs);
  EXPECT_EQ(engine_->EventCount(), 3u);
  EXPECT_TRUE(NamesOf("ann").empty());
  EXPECT_EQ(NamesOf("bob"),
            (std::vector<std::string>{"Signed Up", "Order Completed", "Page Viewed"}));
  const auto funnel = FunnelJson("Signed Up>Order Completed");
  EXPECT_EQ(funnel["steps"][0]["count"], 1);
  EXPECT_EQ(funnel["steps"][1]["count"], 1);
  // All time starts before the horizon (now - 30d, the shortest period): the report says so.
  ASSERT_TRUE(funnel.contains("retention"));
  EXPECT_EQ(funnel["retention"]["events_before"]["ms"], now - 30 * kDayMs);
  FunnelQuery recent;
  recent.steps = "Signed Up>Order Completed";
  recent.from = now - 7 * kDayMs;
  auto covered = engine_->Funnel(recent);
  ASSERT_TRUE(covered.ok());
  EXPECT_FALSE(covered->retention.has_value());
  // Purged: the expired event's property left every file of the folder.
  EXPECT_FALSE(FolderHolds("zq-expired-4d1f"));

  // 300 days on, bob's sign-up is over 400 days old (his order, two days younger, is not) and
  // his page view over 30 days: the hourly sweep (RunRetentionDue) takes both.
  clock_.Advance(300 * kDayMs + kHourMs);
  ASSERT_TRUE(engine_->RunRetentionDue().ok());
  EXPECT_EQ(NamesOf("bob"), std::vector<std::string>{"Order Completed"});
  Reopen();
  EXPECT_EQ(engine_->EventCount(), 1u);
  EXPECT_EQ(NamesOf("bob"), std::vector<std::string>{"Order Completed"});
}

TEST_F(RetentionTest, TheSweepRunsOncePerHourOfEngineTime) {
  SetRetention("{ events: 30d }");
  const TimeMs now = clock_.NowMs();
  ASSERT_TRUE(engine_->RunRetentionDue().ok());  // the first call sweeps
  Ingest({Track("cy", "Seen", now - 31 * kDayMs)});
  ASSERT_TRUE(engine_->RunRetentionDue().ok());  // not due yet
  EXPECT_EQ(engine_->EventCount(), 1u);
  clock_.Advance(kHourMs);
  ASSERT_TRUE(engine_->RunRetentionDue().ok());
  EXPECT_EQ(engine_->EventCount(), 0u);
}

TEST_F(RetentionTest, ForeverOverridesAndIdentifiesFollowTheGlobalPeriod) {
  SetRetention(R"({ events: 30d, by_event: { "Order Completed": 0s } })");
  const TimeMs now = clock_.NowMs();
  Ingest({Identify("dee", now - 60 * kDayMs, {{"plan", "pro"}}),
          Track("dee", "Order Completed", now - 900 * kDayMs)});
  auto report = engine_->EnforceRetention();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->events_removed, 1u);  // the identify; the order is kept forever
  EXPECT_EQ(NamesOf("dee"), std::vector<std::string>{"Order Completed"});
}

TEST(RetentionSettings, ErrorsNameTheFieldAndTheBodyReadsBack) {
  auto parse = [](std::string_view section) {
    return ParseSettings(fmt::format("kind: settings\nid: global\nretention: {}\n", section));
  };
  auto ok = parse(R"({ events: 400d, by_event: { "Page Viewed": 30d, "Order Completed": 0s } })");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->retention.events, 400 * kDayMs);
  EXPECT_EQ(ok->retention.by_event.at("Page Viewed"), 30 * kDayMs);
  EXPECT_EQ(ok->retention.PeriodOf("Order Completed"), 0);
  EXPECT_EQ(ok->retention.PeriodOf("Other"), 400 * kDayMs);
  auto back = ParseSettings(SettingsBody(*ok));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->retention, ok->retention);
  // Without retention the stored body has no retention section (bodies stored before it read
  // the same).
  EXPECT_EQ(SettingsBody(engine::Settings{}).find("retention"), std::string::npos);

  struct Case {
    std::string section, message;
  };
  for (const Case& c : std::vector<Case>{
           {"{ events: forever }", "settings.retention.events: "},
           {"{ events: 2h }", "settings.retention.events: 2h is shorter than a day"},
           {"{ event: 30d }", "settings.retention.event: unknown field"},
           {"{ by_event: [a] }", "settings.retention.by_event: expected a mapping"},
           {R"({ by_event: { "Page Viewed": soon } })",
            "settings.retention.by_event.Page Viewed: "},
           {"30d", "settings.retention: expected { events: <duration>"},
       }) {
    auto r = parse(c.section);
    ASSERT_FALSE(r.ok()) << c.section;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.section << " -> " << r.status().message();
  }
}

}  // namespace
}  // namespace signpost
