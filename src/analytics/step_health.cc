#include "analytics/step_health.h"

#include <algorithm>
#include <cmath>

namespace signpost::analytics {

namespace {

// What one trailing window of `hours` ending at the last hour adds up to.
struct HealthWindow {
  double observed = 0, expected = 0, variance = 0;
  bool complete = false;  // every hour in it is at or after `since` and has a baseline
};

// The first hour with an event: the weeks before it are not a baseline (nothing was tracked yet).
size_t FirstData(std::span<const double> counts) {
  size_t i = 0;
  while (i < counts.size() && counts[i] == 0) ++i;
  return i;
}

HealthCheck Decide(const std::vector<HealthWindow>& windows, const HealthThresholds& t) {
  HealthCheck out;
  // The current level: the shortest complete window expecting enough.
  std::optional<size_t> level;
  for (size_t w = 0; w < windows.size(); ++w) {
    if (windows[w].complete && windows[w].expected >= t.min_expected) {
      level = w;
      break;
    }
  }
  if (!level) return out;
  auto fill = [&](size_t w, HealthCheck::Verdict v) {
    const HealthWindow& win = windows[w];
    out.verdict = v;
    out.window_hours = kHealthWindows[w];
    out.observed = win.observed;
    out.expected = win.expected;
    const double var = win.variance;
    out.z = var > 0 ? (win.observed - win.expected) / std::sqrt(var) : 0;
    out.drop = win.expected > 0 ? 1 - win.observed / win.expected : 0;
  };
  const HealthWindow& cur = windows[*level];
  const bool still_low = cur.observed <= (1 - t.min_drop / 2) * cur.expected;
  if (t.enabled && still_low) {
    for (size_t w = 0; w < windows.size(); ++w) {
      const HealthWindow& win = windows[w];
      if (!win.complete || win.expected < t.min_expected) continue;
      const double var = win.variance;
      const double z = (win.observed - win.expected) / std::sqrt(std::max(var, 1e-9));
      if (z <= -t.z_threshold && win.observed <= (1 - t.min_drop) * win.expected) {
        fill(w, HealthCheck::Verdict::kDrop);
        return out;
      }
    }
  }
  fill(*level, still_low ? HealthCheck::Verdict::kUnsure : HealthCheck::Verdict::kNormal);
  return out;
}

}  // namespace

const char* HealthSensitivityName(HealthSensitivity s) {
  switch (s) {
    case HealthSensitivity::kOff:
      return "off";
    case HealthSensitivity::kLow:
      return "low";
    case HealthSensitivity::kMedium:
      return "medium";
    case HealthSensitivity::kHigh:
      return "high";
  }
  return "medium";
}

Result<HealthSensitivity> ParseHealthSensitivity(std::string_view text) {
  for (HealthSensitivity s : {HealthSensitivity::kOff, HealthSensitivity::kLow,
                              HealthSensitivity::kMedium, HealthSensitivity::kHigh})
    if (text == HealthSensitivityName(s)) return s;
  return Status::InvalidArgument("sensitivity: expected off, low, medium or high");
}

HealthThresholds ThresholdsFor(HealthSensitivity s) {
  HealthThresholds t;
  switch (s) {
    case HealthSensitivity::kOff:
      t.enabled = false;
      break;
    case HealthSensitivity::kLow:
      t.z_threshold = 6;
      t.min_drop = 0.5;
      break;
    case HealthSensitivity::kMedium:
      break;
    case HealthSensitivity::kHigh:
      t.z_threshold = 3.5;
      t.min_drop = 0.2;
      break;
  }
  return t;
}

const char* HealthVerdictName(HealthCheck::Verdict v) {
  switch (v) {
    case HealthCheck::Verdict::kNoData:
      return "no_data";
    case HealthCheck::Verdict::kNormal:
      return "normal";
    case HealthCheck::Verdict::kUnsure:
      return "unsure";
    case HealthCheck::Verdict::kDrop:
      return "drop";
  }
  return "no_data";
}

RobustLevel RobustLevelOf(std::vector<double>& values) {
  if (values.empty()) return {};
  auto median = [](std::vector<double>& v) {
    const size_t n = v.size();
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2), v.end());
    double m = v[n / 2];
    if (n % 2 == 0) {
      m = (m + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2))) / 2;
    }
    return m;
  };
  RobustLevel out;
  out.median = median(values);
  for (double& x : values) x = std::abs(x - out.median);
  out.spread = 1.4826 * median(values);
  return out;
}

HealthCheck CheckVolume(std::span<const double> counts, size_t since, const HealthThresholds& t) {
  std::vector<HealthWindow> windows(std::size(kHealthWindows));
  std::vector<double> totals;
  const size_t n = counts.size();
  const size_t data = FirstData(counts);
  for (size_t w = 0; w < windows.size(); ++w) {
    const size_t hours = kHealthWindows[w];
    HealthWindow& win = windows[w];
    if (hours > n || n - hours < since || n - hours < data + kHoursPerWeek) continue;
    const size_t first = n - hours;
    for (size_t i = first; i < n; ++i) win.observed += counts[i];
    // The same hours of the week in each baseline week.
    totals.clear();
    for (size_t k = 1; k <= t.weeks && data + k * kHoursPerWeek <= first; ++k) {
      double total = 0;
      for (size_t i = first; i < n; ++i) total += counts[i - k * kHoursPerWeek];
      totals.push_back(total);
    }
    const size_t weeks = totals.size();
    const RobustLevel base = RobustLevelOf(totals);
    win.expected = base.median;
    // Poisson at least, the weeks' spread when larger, and a margin for what a few weeks
    // cannot show (wider with fewer than three).
    const double margin = weeks >= 3 ? t.overdispersion : 3 * t.overdispersion;
    win.variance =
        std::max(base.median, base.spread * base.spread) + std::pow(margin * base.median, 2);
    win.complete = true;
  }
  return Decide(windows, t);
}

HealthCheck CheckConversion(std::span<const double> from, std::span<const double> to, size_t since,
                            const HealthThresholds& t) {
  std::vector<HealthWindow> windows(std::size(kHealthWindows));
  const size_t n = std::min(from.size(), to.size());
  const size_t data = FirstData(from.first(n));
  size_t weeks = t.weeks;
  size_t hours = 0;
  bool complete = true;
  double obs = 0, base_from = 0, obs_from = 0, base_to = 0;
  size_t w = 0;
  while (w < windows.size()) {
    if (hours < n) {
      const size_t i = n - 1 - hours;
      if (i < since || i < data + kHoursPerWeek) {
        complete = false;
      } else {
        obs += to[i];
        obs_from += from[i];
        size_t used = 0;
        for (size_t k = 1; k <= t.weeks && data + k * kHoursPerWeek <= i; ++k, ++used) {
          base_from += from[i - k * kHoursPerWeek];
          base_to += to[i - k * kHoursPerWeek];
        }
        weeks = std::min(weeks, used);
      }
    } else {
      complete = false;
    }
    ++hours;
    while (w < windows.size() && kHealthWindows[w] == hours) {
      const double ratio = base_from > 0 ? base_to / base_from : 0;
      const double expected = obs_from * ratio;
      const double margin = weeks >= 3 ? t.overdispersion : 3 * t.overdispersion;
      windows[w] = {obs, expected, expected + std::pow(margin * expected, 2),
                    complete && base_from > 0};
      ++w;
    }
  }
  return Decide(windows, t);
}

bool PacingBehind(double progress, double elapsed, double tolerance, double min_elapsed) {
  if (elapsed < min_elapsed) return false;
  return progress < std::min(elapsed, 1.0) * (1 - tolerance);
}

bool SendsFailing(double failed, double sent, double min_failed, double min_share) {
  const double attempted = failed + sent;
  return failed >= min_failed && attempted > 0 && failed / attempted >= min_share;
}

}  // namespace signpost::analytics
