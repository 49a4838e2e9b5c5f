// The seeded proof of step drivers: a generator that plants drivers with known effects among many
// null candidates in an in-memory index, runs the report's two halves (analytics/step_drivers.h,
// experiments/association.h) on it, and scores what it found against the truth. Used by
// driver_simulation_test (few seeds) and bench/drivers_bench (many seeds, and the cost at 10M
// events). Pure: no engine, no store, no clock; equal seeds give equal results.
#pragma once

#include <cstdint>
#include <vector>

#include "signpost/insights.h"

namespace signpost::engine {

struct DriverSimulationOptions {
  uint64_t people = 20000;
  uint64_t seed = 42;
  double base_rate = 0.10;      // Signed Up -> Activated without any driver
  double pro_share = 0.20;      // Signed Up's properties.plan = pro (else basic)
  double pro_factor = 3.0;      // pro triples the base rate
  double trial_share = 0.30;    // people in the segment "trial"
  double message_share = 0.50;  // of the trial people, those who receive the message
  double message_lift = 0.05;   // the message adds 5 points of conversion in the trial segment
  int null_events = 50;         // "Null k" events, each done by a share of people in [5%, 50%]
  int null_colors = 5;          // properties.color on Signed Up, uniform, no effect
  double fdr = 0.05;
  uint64_t min_count = 30;
  int threads = 2;
};

// One seed's outcome.
struct DriverSimulationResult {
  // The whole population, candidates: events, properties.plan and properties.color.
  StepDriversReport all;
  // The trial segment, candidates: events (the message among them).
  StepDriversReport trial;
  // The planted drivers as found (zero-valued when not tested) and their true values.
  StepDriver pro, message;
  double pro_true_odds_ratio = 0, pro_true_difference = 0;
  double message_true_difference = 0, message_true_odds_ratio = 0;
  bool pro_found = false, message_found = false;  // significant
  bool pro_covered = false;      // the true odds ratio and difference inside both intervals
  bool message_covered = false;  // the true difference and odds ratio inside both intervals
  // Discoveries over the two reports: among the null candidates, and in all.
  uint64_t null_tested = 0, null_discoveries = 0, discoveries = 0;
  double false_discovery_proportion = 0;  // null discoveries / max(1, discoveries)
};

DriverSimulationResult SimulateDrivers(const DriverSimulationOptions& options);

}  // namespace signpost::engine
