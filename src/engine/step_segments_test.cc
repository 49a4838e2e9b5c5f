// Live step segments (issue 16 §1): a `funnel:` segment rule on a funnel's state, evaluated as of a
// time, kept current as events arrive (a person who reaches the next step leaves at that event) and
// as time passes (one stuck past the bound joins at that instant: the journey runtime's segment
// watch), with journey entries and exits like every other segment. On the test clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/system_events.h"
#include "engine/test_support.h"
#include "signpost/engine.h"

namespace signpost {
namespace {

class StepSegmentsTest : public EngineFixture<> {
 protected:
  // Whether `user` is in segment `segment` at the clock's now.
  bool In(const std::string& user, const std::string& segment) {
    auto s = engine_->SegmentsOf(user);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return false;
    return std::find(s->segments.begin(), s->segments.end(), SegmentId(segment)) !=
           s->segments.end();
  }
  // The times of `user`'s system events named `name` with property reason `reason` ("" = any).
  std::vector<TimeMs> Times(const std::string& user, std::string_view name,
                            const std::string& reason = "") {
    std::vector<TimeMs> out;
    auto r = engine_->ProfileEvents(user, 0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return out;
    for (const Event& e : r->events) {
      if (e.event != name) continue;
      if (!reason.empty() &&
          e.properties.find("\"reason\":\"" + reason + "\"") == std::string::npos)
        continue;
      out.push_back(e.timestamp);
    }
    return out;
  }
  void At(TimeMs t) {
    clock_.Set(t);
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  }
};

TEST_F(StepSegmentsTest, MembershipChangesAtTheRightInstants) {
  const TimeMs t0 = clock_.NowMs();
  Apply(R"(kind: funnel
id: onboarding
window: 30d
steps: [Account Created, Email Verified, Integration Connected])");
  Apply(R"(kind: segment
id: stuck-at-2
rule: { funnel: { id: onboarding, reached: 2, not_reached: 3, stuck_for: { gt: 2d } } })");
  Apply(R"(kind: segment
id: connected
rule: { funnel: { id: onboarding, reached: 3 } })");
  Apply(R"(kind: journey
id: unstick
entry: { segment: stuck-at-2, join_later: true }
suppress: [connected]
steps:
  - { id: wait, wait: { for: 5d } })");
  Live("unstick");
  const TimeMs verified = t0 + kHourMs;
  // u1 stays at step 2; u2 connects after a day (never stuck 2 days); u3 connects after 3 days.
  Ingest({Track("u1", "Account Created", t0), Track("u2", "Account Created", t0),
          Track("u3", "Account Created", t0)});
  At(t0);
  Ingest({Track("u1", "Email Verified", verified), Track("u2", "Email Verified", verified),
          Track("u3", "Email Verified", verified)});
  At(verified);
  EXPECT_FALSE(In("u1", "stuck-at-2"));
  Ingest({Track("u2", "Integration Connected", verified + kDayMs)});
  At(verified + kDayMs);
  EXPECT_TRUE(In("u2", "connected"));
  // Exactly 2 days after step 2: not yet (stuck_for > 2d); a millisecond later: members.
  At(verified + 2 * kDayMs);
  EXPECT_FALSE(In("u1", "stuck-at-2"));
  EXPECT_TRUE(Times("u1", system_events::kJourneyEntered).empty());
  At(verified + 2 * kDayMs + 1);
  EXPECT_TRUE(In("u1", "stuck-at-2"));
  EXPECT_TRUE(In("u3", "stuck-at-2"));
  EXPECT_FALSE(In("u2", "stuck-at-2"));
  // The watch entered them at that instant (not at a later event or timer).
  EXPECT_EQ(Times("u1", system_events::kJourneyEntered),
            std::vector<TimeMs>{verified + 2 * kDayMs + 1});
  EXPECT_EQ(Times("u3", system_events::kJourneyEntered),
            std::vector<TimeMs>{verified + 2 * kDayMs + 1});
  EXPECT_TRUE(Times("u2", system_events::kJourneyEntered).empty());
  // u3 reaches step 3: it leaves the segment and exits the journey (suppressed) at that event.
  const TimeMs connected = verified + 3 * kDayMs;
  Ingest({Track("u3", "Integration Connected", connected)});
  At(connected);
  EXPECT_FALSE(In("u3", "stuck-at-2"));
  EXPECT_EQ(Times("u3", system_events::kJourneyExited, "suppressed"),
            std::vector<TimeMs>{connected});
  // u1 completes its wait 5 days after it joined.
  At(verified + 7 * kDayMs + 1);
  EXPECT_EQ(Times("u1", system_events::kJourneyExited, "completed"),
            std::vector<TimeMs>{verified + 7 * kDayMs + 1});
  auto j = engine_->Journey("unstick");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(j->totals.entered, 2u);
  EXPECT_EQ(j->totals.completed, 1u);
  EXPECT_EQ(j->totals.exited, 1u);
}

// Regression (issue 16): segment watches lived only in memory, so after a restart a person stuck
// at a step joined only at their next event or timer. A watch is now kept with the profile's
// journey state: after a reopen, the stall entry (1 day) and the segment join (2 days) still
// happen at their own instants, with no event of the person in between.
TEST_F(StepSegmentsTest, AWatchArmedBeforeARestartFiresAtItsInstantAfterIt) {
  const TimeMs t0 = clock_.NowMs();
  Apply(R"(kind: funnel
id: onboarding
steps: [Account Created, Email Verified, Integration Connected])");
  Apply(R"(kind: segment
id: stuck-at-2
rule: { funnel: { id: onboarding, reached: 2, not_reached: 3, stuck_for: { gt: 2d } } })");
  Apply(R"(kind: journey
id: unstick
entry: { segment: stuck-at-2, join_later: true }
steps:
  - { id: wait, wait: { for: 5d } })");
  Apply(R"(kind: journey
id: stalled
entry: { funnel_step: { funnel: onboarding, step: 2, on: stalled, after: 1d } }
steps:
  - { id: wait, wait: { for: 5d } })");
  Live("unstick");
  Live("stalled");
  const TimeMs verified = t0 + kHourMs;
  Ingest({Track("u1", "Account Created", t0), Track("u1", "Email Verified", verified)});
  At(verified);
  Reopen();
  At(verified + 3 * kDayMs);
  std::vector<TimeMs> entered = Times("u1", system_events::kJourneyEntered);
  std::sort(entered.begin(), entered.end());
  EXPECT_EQ(entered, (std::vector<TimeMs>{verified + kDayMs, verified + 2 * kDayMs + 1}));
}

// The parsed funnel a step segment reads is kept between checks and dropped when the funnel is
// applied again: the segment follows the new steps at once.
TEST_F(StepSegmentsTest, AStepSegmentReadsTheFunnelAppliedSince) {
  const TimeMs t0 = clock_.NowMs();
  Apply(R"(kind: funnel
id: onboarding
steps: [Account Created, Email Verified])");
  Apply(R"(kind: segment
id: at-2
rule: { funnel: { id: onboarding, reached: 2 } })");
  Ingest({Track("u1", "Account Created", t0), Track("u1", "Email Verified", t0 + 1)});
  At(t0 + 2);
  EXPECT_TRUE(In("u1", "at-2"));
  Apply(R"(kind: funnel
id: onboarding
steps: [Account Created, Integration Connected])");
  EXPECT_FALSE(In("u1", "at-2"));
}

TEST_F(StepSegmentsTest, ARuleOnAnUnknownFunnelIsRefused) {
  auto r = engine_->Apply(R"(kind: segment
id: stuck
rule: { funnel: { id: nope, reached: 2 } })",
                          "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no funnel 'nope'"), std::string::npos)
      << r.status().message();
  auto bad = engine_->Apply(R"(kind: segment
id: stuck
rule: { funnel: { id: nope, reached: 3, not_reached: 2 } })",
                            "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not_reached"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace signpost
