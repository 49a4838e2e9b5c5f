// The retention report and the retention note of funnel and goal reports as JSON: the note is
// written only when the report carries one, so reports without retention stay as they were.
#include <gtest/gtest.h>

#include "base/time.h"
#include "wire/wire.h"

namespace signpost::wire {
namespace {

TEST(RetentionJson, TheNoteIsWrittenOnlyWhenPresent) {
  GoalReport goal;
  FunnelReport funnel;
  EXPECT_FALSE(ToJson(goal).contains("retention"));
  EXPECT_FALSE(ToJson(funnel).contains("retention"));
  const TimeMs horizon = *ParseIso8601("2026-10-01T00:00:00Z");
  goal.retention = RetentionNote{horizon, "events before ... may have been removed"};
  funnel.retention = goal.retention;
  for (const auto& j : {ToJson(goal), ToJson(funnel)}) {
    ASSERT_TRUE(j.contains("retention"));
    EXPECT_EQ(j["retention"]["events_before"]["ms"], horizon);
    EXPECT_EQ(j["retention"]["events_before"]["iso"], "2026-10-01T00:00:00.000Z");
    EXPECT_EQ(j["retention"]["note"], "events before ... may have been removed");
  }
}

TEST(RetentionJson, Report) {
  RetentionReport r;
  r.at = *ParseIso8601("2026-11-24T12:00:00Z");
  r.events = 400 * kDayMs;
  r.by_event["Page Viewed"] = 30 * kDayMs;
  r.events_removed = 7;
  r.purged = true;
  auto j = ToJson(r);
  EXPECT_EQ(j["events"], "400d");
  EXPECT_EQ(j["by_event"]["Page Viewed"], "30d");
  EXPECT_EQ(j["events_removed"], 7);
  EXPECT_TRUE(j["oldest_kept"].is_null());
  EXPECT_EQ(j["purged"], true);
  r.oldest_kept = r.at - kDayMs;
  EXPECT_EQ(ToJson(r)["oldest_kept"]["ms"], r.at - kDayMs);
}

}  // namespace
}  // namespace signpost::wire
