// Step health: is an hourly count series (a funnel step's events, a journey goal's trigger events)
// or the conversion between two such series significantly below its usual level for this hour of
// the week? Pure code on counts: the engine's AlertService (src/engine/alert_service.h) builds the
// series from the analytics index and turns the verdicts into incidents.
//
// The method (src/analytics/README.md, "Step health"):
//  - Windows: the trailing 1, 3, 6, 12, 24, 48 and 168 hours ending at the series' last hour.
//    Short windows catch a total stop within the hour; long ones a partial drop or a low-volume
//    step (24 hours is the daily view, 168 the weekly one).
//  - Baseline: for each window, its total in each of the previous `weeks` weeks over the same
//    hours of the week (so hour-of-day and weekday seasonality are built in). Expected E is the
//    median of those totals and the spread 1.4826 x their median absolute deviation (MAD):
//    robust statistics that one broken or holiday week in the baseline does not move (Leys et
//    al., "Detecting outliers: do not use standard deviation around the mean, use absolute
//    deviation around the median", J. Exp. Soc. Psychology 49(4), 2013; the same-hour-of-week
//    reference is the seasonal baseline of Twitter's S-H-ESD, Hochenbaum et al.,
//    arXiv:1704.07706, 2017, without its decomposition).
//    Weeks before the series' first event are no baseline (nothing was tracked yet).
//  - Test: a count test with robust overdispersion: variance V = max(E, spread^2) (Poisson at
//    least; the weeks' spread when larger) + (margin x E)^2, margin = `overdispersion` with three
//    or more baseline weeks and three times it with fewer; z = (O - E) / sqrt(V). A window is a
//    significant drop when z <= -z_threshold, O <= (1 - min_drop) E and E >= min_expected.
//  - Verdict kDrop when some window is a significant drop and the drop is still on: the
//    shortest window with E >= min_expected is at most (1 - min_drop / 2) of expected. kNormal
//    when that window is back above it (the service resolves the incident); else kUnsure (keep
//    the state).
//  - Conversion from series A to B: the same windows, with E = O_A x r, r = the baseline weeks'
//    B over their A in the same hours, V = E + (overdispersion x E)^2.
// Sensitivity is three levels (plus off) of z_threshold and min_drop. The seeded simulation
// (step_health_simulation.h, bench/step_health_sim) measures false alerts and latency: at the
// default (medium) about 0.25 false alerts per step per 30 days (goal: at most 1).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/status.h"

namespace signpost::analytics {

inline constexpr size_t kHoursPerWeek = 168;

enum class HealthSensitivity { kOff, kLow, kMedium, kHigh };
// "off" | "low" | "medium" | "high".
const char* HealthSensitivityName(HealthSensitivity s);
// kInvalidArgument naming the choices for anything else.
Result<HealthSensitivity> ParseHealthSensitivity(std::string_view text);

struct HealthThresholds {
  bool enabled = true;
  double z_threshold = 4.0;      // standard deviations below expected
  double min_drop = 0.25;        // a drop must be at least this share of expected
  double min_expected = 8;       // windows expecting fewer events say nothing
  double overdispersion = 0.05;  // extra relative noise beyond Poisson and the observed spread
  size_t weeks = 4;              // baseline weeks (at least 1 must be in the series)
};
// The thresholds of a level: high (z 3.5, drop 20%), medium (the default: z 4, drop 25%),
// low (z 6, drop 50%), off (never a drop).
HealthThresholds ThresholdsFor(HealthSensitivity s);

// The trailing windows tested, in hours.
inline constexpr size_t kHealthWindows[] = {1, 3, 6, 12, 24, 48, 168};

struct HealthCheck {
  enum class Verdict { kNoData, kNormal, kUnsure, kDrop } verdict = Verdict::kNoData;
  // The window that decided (the significant one for kDrop, the current-level one otherwise).
  size_t window_hours = 0;
  double observed = 0, expected = 0;
  double z = 0;
  double drop = 0;  // 1 - observed / expected (0 when expected is 0)
};
const char* HealthVerdictName(HealthCheck::Verdict v);

// The verdict for the series' last hour. `counts[i]` is hour i (the last is the latest complete
// hour); windows reaching before `since` (an index; 0 for all) are not tested (after an incident
// resolved, the windows start afresh), though those hours still serve as baseline. kNoData when
// no window has a baseline week or expects min_expected.
HealthCheck CheckVolume(std::span<const double> counts, size_t since, const HealthThresholds& t);
// The same for the conversion from `from` to `to` (same length, aligned).
HealthCheck CheckConversion(std::span<const double> from, std::span<const double> to, size_t since,
                            const HealthThresholds& t);

// The median and 1.4826 x MAD of `values` (sorted in place); {0, 0} when empty.
struct RobustLevel {
  double median = 0, spread = 0;
};
RobustLevel RobustLevelOf(std::vector<double>& values);

// Goal pacing: a goal with a target on a journey with a start and an end is behind when its
// progress toward the target is below the elapsed share of the journey's time by more than
// `tolerance` (relative), once at least `min_elapsed` of the time has passed. `progress` and
// `elapsed` are shares (0..1+). Pure.
bool PacingBehind(double progress, double elapsed, double tolerance = 0.25,
                  double min_elapsed = 0.2);

// Send failures: failed of attempted (sent + failed) messages in a window; failing when at least
// `min_failed` failed and their share is at least `min_share`.
bool SendsFailing(double failed, double sent, double min_failed = 5, double min_share = 0.2);

}  // namespace signpost::analytics
