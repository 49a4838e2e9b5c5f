// step_health_sim: the false-alert rate and detection latency of step health (the hour-of-week
// robust baseline and count test of src/analytics/step_health.h), from the seeded simulation of
// src/analytics/step_health_simulation.h: many funnel steps with hour-of-day and weekday
// seasonality, a lognormal day level and Poisson counts, evaluated hourly as the AlertService does.
//
//   step_health_sim                          # the defaults below; same flags = same figures
//   step_health_sim --steps 500 --weeks 8 --seed 42 --sensitivity medium --json
//
// Prints: false alerts per step per 30 days on clean series (goal: at most 1), and for drops of
// 30%, 50% and 100% injected in week 7 the share detected within a week and the hours from the
// drop to the alert (median, 90th percentile, max).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "analytics/step_health_simulation.h"

namespace an = signpost::analytics;

int main(int argc, char** argv) {
  CLI::App app{"step health: false alerts and detection latency, seeded simulation"};
  an::StepHealthScenario s;
  std::string sensitivity = "medium";
  bool json = false;
  app.add_option("--steps", s.steps, "simulated funnel steps")->capture_default_str();
  app.add_option("--weeks", s.weeks, "simulated weeks (at least 8 for the latency runs)")
      ->capture_default_str();
  app.add_option("--seed", s.seed)->capture_default_str();
  app.add_option("--min-rate", s.min_rate, "lowest mean events per hour")->capture_default_str();
  app.add_option("--max-rate", s.max_rate, "highest mean events per hour")->capture_default_str();
  app.add_option("--daily-noise", s.daily_noise, "relative sd of a day's level")
      ->capture_default_str();
  app.add_option("--sensitivity", sensitivity, "off | low | medium | high")->capture_default_str();
  app.add_flag("--json", json, "one JSON line instead of the table");
  CLI11_PARSE(app, argc, argv);
  auto level = an::ParseHealthSensitivity(sensitivity);
  if (!level.ok()) {
    std::fprintf(stderr, "step_health_sim: %s\n", level.status().ToString().c_str());
    return 2;
  }
  s.sensitivity = *level;
  const std::vector<double> drops = {0.3, 0.5, 1.0};
  const an::StepHealthOutcome out = an::SimulateStepHealth(s, drops);
  if (json) {
    std::printf(
        "{\"steps\":%zu,\"weeks\":%zu,\"seed\":%llu,\"sensitivity\":\"%s\",\"evaluated_days\":%.1f,"
        "\"false_alerts\":%llu,\"steps_with_false_alerts\":%zu,"
        "\"false_alerts_per_step_per_30_days\":%.4f,\"latency\":[",
        out.steps, s.weeks, static_cast<unsigned long long>(s.seed), sensitivity.c_str(),
        out.evaluated_days, static_cast<unsigned long long>(out.false_alerts),
        out.steps_with_false_alerts, out.false_alerts_per_step_per_30_days);
    for (size_t i = 0; i < out.latencies.size(); ++i) {
      const an::StepHealthLatency& l = out.latencies[i];
      std::printf(
          "%s{\"drop\":%.2f,\"injected\":%zu,\"detected\":%zu,\"median_hours\":%.1f,"
          "\"p90_hours\":%.1f,\"max_hours\":%.1f}",
          i ? "," : "", l.drop, l.injected, l.detected, l.median_hours, l.p90_hours, l.max_hours);
    }
    std::printf("]}\n");
    return 0;
  }
  std::printf(
      "Step health: %zu steps x %zu weeks (seed %llu, sensitivity %s, %.0f-%.0f events/h)\n",
      out.steps, s.weeks, static_cast<unsigned long long>(s.seed), sensitivity.c_str(), s.min_rate,
      s.max_rate);
  std::printf(
      "  false alerts: %llu on clean series (%zu steps with any) = %.3f per step per 30 "
      "days (goal <= 1)\n",
      static_cast<unsigned long long>(out.false_alerts), out.steps_with_false_alerts,
      out.false_alerts_per_step_per_30_days);
  std::printf("  %-6s %9s %9s %8s %8s %8s\n", "drop", "injected", "detected", "median", "p90",
              "max");
  for (const an::StepHealthLatency& l : out.latencies)
    std::printf("  %5.0f%% %9zu %9zu %7.1fh %7.1fh %7.1fh\n", 100 * l.drop, l.injected, l.detected,
                l.median_hours, l.p90_hours, l.max_hours);
  return 0;
}
