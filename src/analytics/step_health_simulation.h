// The seeded simulation of step health (step_health.h): hourly step counts with hour-of-day and
// weekday seasonality, day-to-day noise and Poisson noise, evaluated hour by hour the way the
// AlertService does (an incident opens on kDrop and resolves on kNormal; after it resolves the
// windows start afresh). Measures the false alerts on clean series and the detection latency of
// injected drops. bench/step_health_sim prints it; step_health_test checks a small run.
//
// Thread-safety: pure; deterministic for a seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "analytics/step_health.h"

namespace signpost::analytics {

struct StepHealthScenario {
  size_t steps = 200;  // simulated funnel steps
  size_t weeks = 8;    // simulated weeks; alerts are counted from week 2 on (1 baseline week)
  uint64_t seed = 42;
  double min_rate = 1, max_rate = 500;  // mean events per hour of a step, log-uniform between
  double daily_noise = 0.1;             // relative sd of a day's level (lognormal)
  HealthSensitivity sensitivity = HealthSensitivity::kMedium;
  size_t latency_limit_hours = 168;  // a drop not detected within this counts as missed
};

struct StepHealthLatency {
  double drop = 0;  // 0.3: the step's events fall to 70%
  size_t injected = 0, detected = 0;
  double median_hours = 0, p90_hours = 0, max_hours = 0;  // over the detected ones
};

struct StepHealthOutcome {
  size_t steps = 0;
  double evaluated_days = 0;  // per step
  uint64_t false_alerts = 0;  // incidents opened on clean series
  size_t steps_with_false_alerts = 0;
  double false_alerts_per_step_per_30_days = 0;
  std::vector<StepHealthLatency> latencies;  // one per drop asked for
};

// Runs the scenario; `drops` are the relative drops to inject (one run each, every step dropped
// at a random hour of week 7 — four weeks of baseline before it — for the rest of the run).
StepHealthOutcome SimulateStepHealth(const StepHealthScenario& scenario,
                                     std::span<const double> drops);

}  // namespace signpost::analytics
