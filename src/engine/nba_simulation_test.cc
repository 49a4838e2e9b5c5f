// The seeded proof of the next best action on a few seeds (bench/nba_bench runs many): the nudge
// message that adds 5 points to step 2 -> 3 in the trial segment is recommended there with the
// true lift inside its interval; the basic segment, where it adds nothing, gets "not enough
// evidence".
#include "engine/nba_simulation.h"

#include <gtest/gtest.h>

namespace signpost::engine {
namespace {

TEST(NbaSimulation, PicksThePlantedMessageForItsSegmentAndNothingForTheOther) {
  int covered = 0;
  for (uint64_t seed : {1, 2, 3}) {
    NbaSimulationOptions o;
    o.seed = seed;
    const NbaSimulationResult r = SimulateNextBestAction(o);
    SCOPED_TRACE(seed);
    EXPECT_TRUE(r.trial_picks_nudge) << r.trial.recommended;
    EXPECT_EQ(r.trial.evidence, "lift");
    covered += r.trial_covered ? 1 : 0;
    EXPECT_NEAR(r.trial_nudge.lift.absolute, 0.05, 0.035);
    // About 8,000 treated and 2,000 held out in the segment.
    EXPECT_GT(r.trial_nudge.treated, 7000u);
    EXPECT_GT(r.trial_nudge.holdout, 1500u);
    EXPECT_TRUE(r.basic_no_evidence) << r.basic.recommended;
    EXPECT_EQ(r.basic.recommended, "");
    EXPECT_EQ(r.everyone.at_step, o.people);
  }
  // A 95% interval: one seed in twenty misses on average.
  EXPECT_GE(covered, 2);
}

TEST(NbaSimulation, EqualSeedsGiveEqualTables) {
  NbaSimulationOptions o;
  o.people = 2000;
  o.seed = 7;
  const NbaSimulationResult a = SimulateNextBestAction(o), b = SimulateNextBestAction(o);
  ASSERT_EQ(a.trial.rows.size(), b.trial.rows.size());
  for (size_t i = 0; i < a.trial.rows.size(); ++i) {
    EXPECT_EQ(a.trial.rows[i].action, b.trial.rows[i].action);
    EXPECT_EQ(a.trial.rows[i].lift.absolute_interval.low,
              b.trial.rows[i].lift.absolute_interval.low);
  }
}

}  // namespace
}  // namespace signpost::engine
