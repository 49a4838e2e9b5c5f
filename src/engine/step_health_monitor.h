// Step health as the AlertService's detector: every funnel step and journey goal becomes a watched
// hourly series of event counts (by event name, from the analytics index), checked each hour by
// analytics::CheckVolume (and, for a funnel step after the first, CheckConversion from the step
// before it) against its hour-of-week baseline; a drop raises the step's finding (key
// "step/funnel/<id>/<k>" or "goal/journey/<id>"), a return to normal clears it. Journeys also get
// send failures ("sends/journey/<id>": failed of attempted messages over the last evaluation
// interval) and goal pacing ("pacing/journey/<id>": a target's progress behind the share of the
// journey's start-to-end time gone).
//
// What counts: the events whose name is one of the step's (its `event:` or `any_of` names; `where`
// conditions are not applied: a tracking break shows in the name's volume) by event time, in
// whole hours ending at the evaluation's hour (the clock's now minus a 5-minute grace for late
// events, down to the hour). Status steps (traits) are not watched.
//
// Thread-safety: pure functions over their arguments; the AlertService serializes evaluations.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analytics/step_health.h"
#include "engine/alert_service.h"
#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::engine {

struct WatchedSeries {
  std::string key;                 // the finding's key
  std::string label;               // "funnel signup, step 2 (Email Verified)"
  bool goal = false;               // a journey goal (kind goal_volume) rather than a funnel step
  std::vector<std::string> names;  // event names counted
  int previous = -1;               // the series (index) this step converts from; -1 for none
  std::vector<std::string> affected;
  analytics::HealthThresholds thresholds;
};

// Hour counts per name: for each name asked, `hours` counts of the hours from `from`.
using HourlyCounts = std::map<std::string, std::vector<double>, std::less<>>;
using HourlyCounter = std::function<Result<HourlyCounts>(const std::vector<std::string>& names,
                                                         TimeMs from, size_t hours)>;

inline constexpr DurationMs kStepHealthGrace = 5 * kMinuteMs;

// The end of the latest complete hour evaluated at `now`.
TimeMs StepHealthHourEnd(TimeMs now);

// Checks every series at `now` and raises or clears its finding in `alerts`.
Status EvaluateStepHealth(const std::vector<WatchedSeries>& watched, const HourlyCounter& counter,
                          AlertService& alerts, TimeMs now);

// Journey send failures and goal pacing, from what the caller read of each journey.
struct JourneyHealth {
  std::string journey;  // id
  bool enabled = true;  // sensitivity is not off
  // Cumulative message counts (sent = every message step's inflow, failed = exits send_failed).
  double sent = 0, failed = 0;
  // Pacing: the goal's progress toward its target (0..1) and the share of the journey's time
  // gone; none without a target or without both a start and an end.
  std::optional<double> target_progress, elapsed;
};

// Raises or clears "sends/journey/<id>" from the counts since `previous` (the counts of the
// last evaluation; none at the first: nothing is judged), and "pacing/journey/<id>".
Status EvaluateJourneyHealth(const JourneyHealth& now_counts,
                             const std::optional<JourneyHealth>& previous, AlertService& alerts,
                             TimeMs now);

}  // namespace signpost::engine
