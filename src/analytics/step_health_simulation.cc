#include "analytics/step_health_simulation.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <random>

namespace signpost::analytics {

namespace {

// The hour-of-week shape: low at night, a peak in the afternoon, weekends at 60%.
double SeasonalFactor(size_t hour_of_week) {
  const size_t day = hour_of_week / 24, hour = hour_of_week % 24;
  const double daily =
      0.6 - 0.45 * std::cos(2 * std::numbers::pi * (static_cast<double>(hour) - 3) / 24);
  const double weekly = day >= 5 ? 0.6 : 1.0;
  return std::max(0.05, daily) * weekly;
}

// One step's mean per hour over the run (seasonality times a lognormal level per day).
std::vector<double> StepRates(double base, size_t hours, double daily_noise, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0, daily_noise);
  std::vector<double> rates(hours);
  double day_level = 1;
  for (size_t h = 0; h < hours; ++h) {
    if (h % 24 == 0) day_level = std::exp(normal(rng) - daily_noise * daily_noise / 2);
    rates[h] = base * SeasonalFactor(h % kHoursPerWeek) * day_level;
  }
  return rates;
}

std::vector<double> Sample(const std::vector<double>& rates, std::mt19937_64& rng) {
  std::vector<double> counts(rates.size());
  for (size_t h = 0; h < rates.size(); ++h) {
    std::poisson_distribution<int64_t> poisson(std::max(rates[h], 1e-9));
    counts[h] = static_cast<double>(poisson(rng));
  }
  return counts;
}

// Evaluates hours [from, to) as the service does; calls `opened(hour)` for each incident opened.
// Returns when `opened` returns true.
template <typename Opened>
void EvaluateSeries(const std::vector<double>& counts, size_t from, size_t to,
                    const HealthThresholds& t, Opened opened) {
  bool open = false;
  size_t since = 0;
  for (size_t h = from; h < to; ++h) {
    const HealthCheck c = CheckVolume(std::span<const double>(counts.data(), h + 1), since, t);
    if (c.verdict == HealthCheck::Verdict::kDrop && !open) {
      open = true;
      if (opened(h)) return;
    } else if (c.verdict == HealthCheck::Verdict::kNormal && open) {
      open = false;
      since = h + 1;
    }
  }
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i =
      std::min(v.size() - 1, static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())) - 1));
  return v[i];
}

}  // namespace

StepHealthOutcome SimulateStepHealth(const StepHealthScenario& s, std::span<const double> drops) {
  StepHealthOutcome out;
  out.steps = s.steps;
  const size_t hours = s.weeks * kHoursPerWeek;
  const HealthThresholds t = ThresholdsFor(s.sensitivity);
  const size_t first = kHoursPerWeek;  // one week of baseline before the first evaluation
  out.evaluated_days = static_cast<double>(hours - first) / 24;
  std::mt19937_64 rng(s.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  struct Step {
    std::vector<double> rates, counts;
  };
  std::vector<Step> steps(s.steps);
  for (Step& step : steps) {
    const double base = s.min_rate * std::pow(s.max_rate / s.min_rate, unit(rng));  // log-uniform
    step.rates = StepRates(base, hours, s.daily_noise, rng);
    step.counts = Sample(step.rates, rng);
    uint64_t alerts = 0;
    EvaluateSeries(step.counts, first, hours, t, [&](size_t) {
      ++alerts;
      return false;
    });
    out.false_alerts += alerts;
    if (alerts > 0) ++out.steps_with_false_alerts;
  }
  out.false_alerts_per_step_per_30_days = s.steps == 0 ? 0
                                                       : static_cast<double>(out.false_alerts) /
                                                             static_cast<double>(s.steps) /
                                                             out.evaluated_days * 30;
  const size_t drop_from = std::min(hours, 6 * kHoursPerWeek);
  for (double drop : drops) {
    StepHealthLatency lat;
    lat.drop = drop;
    std::vector<double> detected;
    for (Step& step : steps) {
      if (hours < drop_from + kHoursPerWeek) break;
      const size_t start = drop_from + static_cast<size_t>(unit(rng) * kHoursPerWeek);
      std::vector<double> counts = step.counts;
      for (size_t h = start; h < hours; ++h) {  // thinning: Poisson(rate) kept with 1 - drop
        std::binomial_distribution<int64_t> keep(static_cast<int64_t>(counts[h]), 1 - drop);
        counts[h] = static_cast<double>(keep(rng));
      }
      ++lat.injected;
      const size_t end = std::min(hours, start + s.latency_limit_hours);
      EvaluateSeries(counts, start, end, t, [&](size_t h) {
        detected.push_back(static_cast<double>(h - start + 1));  // hours of data until the alert
        return true;
      });
    }
    lat.detected = detected.size();
    lat.median_hours = Quantile(detected, 0.5);
    lat.p90_hours = Quantile(detected, 0.9);
    lat.max_hours = detected.empty() ? 0 : *std::max_element(detected.begin(), detected.end());
    out.latencies.push_back(lat);
  }
  return out;
}

}  // namespace signpost::analytics
