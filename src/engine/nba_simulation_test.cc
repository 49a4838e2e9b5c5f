// The seeded proof of the next best action on a few seeds (DISABLED_FiguresOverSeeds measures
// many: engine_test --gtest_also_run_disabled_tests --gtest_filter='NbaSimulation.DISABLED_*'): the
// nudge message that adds 5 points to step 2 -> 3 in the trial segment is recommended there with
// the true lift inside its interval; the basic segment, where it adds nothing, gets "not enough
// evidence".
#include "engine/nba_simulation.h"

#include <gtest/gtest.h>

#include <cstdio>

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

// The figures over many seeds (not run by make test): how often the planted message is recommended
// in its segment, how often its true lift is inside the recommended row's interval, and how often
// the null segment wrongly gets a recommendation.
TEST(NbaSimulation, DISABLED_FiguresOverSeeds) {
  const int seeds = 100;
  int picked = 0, covered = 0, false_picks = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    NbaSimulationOptions o;
    o.seed = static_cast<uint64_t>(seed);
    const NbaSimulationResult r = SimulateNextBestAction(o);
    picked += r.trial_picks_nudge ? 1 : 0;
    covered += r.trial_covered ? 1 : 0;
    false_picks += r.basic_no_evidence ? 0 : 1;
  }
  std::printf("seeds %d: trial picks nudge %d, true lift covered %d, basic recommends %d\n", seeds,
              picked, covered, false_picks);
  EXPECT_GE(picked, seeds * 9 / 10);
}

}  // namespace
}  // namespace signpost::engine
