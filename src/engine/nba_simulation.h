// The seeded proof of the next best action: a generator that plants a message adding `lift` to the
// step 2 -> 3 conversion of one segment ("trial") and nothing for the other ("basic"), among
// people who entered its journey at step 2 with a holdout, beside a null journey that changes
// nothing; the counts and the ranking are the engine's (analytics/next_best_action.h,
// nba_tables.h) on an in-memory index. Used by nba_simulation_test (three seeds; its
// DISABLED_FiguresOverSeeds test measures many). Pure: no engine, no store, no clock; equal seeds,
// equal results.
#pragma once

#include <cstdint>
#include <string>

#include "signpost/insights.h"

namespace signpost::engine {

struct NbaSimulationOptions {
  uint64_t people = 20000;
  uint64_t seed = 42;
  double base_rate = 0.20;      // Activated -> Purchased without the message
  double trial_share = 0.50;    // people in "trial" (the rest are in "basic")
  double holdout_share = 0.20;  // held out of each journey (nothing sent)
  double lift = 0.05;           // the nudge message adds 5 points in "trial", nothing in "basic"
  double tips_share = 0.50;     // people who also enter the null journey "tips"
  uint64_t min_count = 30;
};

struct NbaSimulationResult {
  NextBestActionTable everyone, trial, basic;
  NextBestActionRow trial_nudge;   // the nudge journey's row in the trial table
  bool trial_picks_nudge = false;  // recommended: the nudge journey or its message
  bool trial_covered = false;      // the true lift inside the recommended row's interval
  bool basic_no_evidence = false;  // basic: "not enough evidence"
};

NbaSimulationResult SimulateNextBestAction(const NbaSimulationOptions& options);

}  // namespace signpost::engine
