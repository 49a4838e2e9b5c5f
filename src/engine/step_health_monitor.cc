#include "engine/step_health_monitor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "base/time.h"

namespace signpost::engine {

namespace {

// Hours of counts one evaluation reads: the baseline weeks before the longest window.
size_t SeriesHours(const analytics::HealthThresholds& t) {
  return t.weeks * analytics::kHoursPerWeek +
         analytics::kHealthWindows[std::size(analytics::kHealthWindows) - 1];
}

std::string Percent(double share) { return fmt::format("{:.0f}%", 100 * share); }

AlertFinding StepFinding(const WatchedSeries& w, const analytics::HealthCheck& c, bool conversion,
                         TimeMs hour_end) {
  AlertFinding f;
  f.key = w.key;
  f.kind = w.goal ? "goal_volume" : conversion ? "step_conversion" : "step_volume";
  f.severity = c.drop >= 0.9 ? AlertSeverity::kCritical : AlertSeverity::kWarning;
  f.affected = w.affected;
  f.observed = c.observed;
  f.expected = c.expected;
  f.window_hours = static_cast<int>(c.window_hours);
  const std::string what = conversion ? "conversion from the step before" : "volume";
  f.title = fmt::format("{}: {} down {}", w.label, what, Percent(c.drop));
  f.detail = fmt::format(
      "{:.0f} {} in the {} hour(s) to {} where the same hours of the week usually see {:.0f} "
      "(z = {:.1f}). Counted events: {}. A drop this sudden is often a tracking change (a renamed "
      "or removed event) rather than a change in behaviour.",
      c.observed, conversion ? "conversions" : "events", c.window_hours, FormatIso8601(hour_end),
      c.expected, c.z, fmt::join(w.names, ", "));
  return f;
}

}  // namespace

TimeMs StepHealthHourEnd(TimeMs now) {
  const TimeMs t = now - kStepHealthGrace;
  return t - ((t % kHourMs) + kHourMs) % kHourMs;
}

Status EvaluateStepHealth(const std::vector<WatchedSeries>& watched, const HourlyCounter& counter,
                          AlertService& alerts, TimeMs now) {
  if (watched.empty()) return Status::Ok();
  size_t hours = 0;
  std::vector<std::string> names;
  for (const WatchedSeries& w : watched) {
    hours = std::max(hours, SeriesHours(w.thresholds));
    names.insert(names.end(), w.names.begin(), w.names.end());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const TimeMs end = StepHealthHourEnd(now);
  const TimeMs from = end - static_cast<TimeMs>(hours) * kHourMs;
  SP_ASSIGN_OR_RETURN(HourlyCounts counts, counter(names, from, hours));
  // Each watched series: the sum of its names' counts.
  std::vector<std::vector<double>> series(watched.size(), std::vector<double>(hours, 0));
  for (size_t i = 0; i < watched.size(); ++i) {
    for (const std::string& name : watched[i].names) {
      auto it = counts.find(name);
      if (it == counts.end()) continue;
      for (size_t h = 0; h < hours && h < it->second.size(); ++h) series[i][h] += it->second[h];
    }
  }
  for (size_t i = 0; i < watched.size(); ++i) {
    const WatchedSeries& w = watched[i];
    size_t since = 0;
    if (auto resolved = alerts.LastResolvedAt(w.key); resolved && *resolved > from) {
      since = static_cast<size_t>((*resolved - from + kHourMs - 1) / kHourMs);
    }
    const analytics::HealthCheck volume = analytics::CheckVolume(series[i], since, w.thresholds);
    std::optional<analytics::HealthCheck> conversion;
    if (w.previous >= 0 && static_cast<size_t>(w.previous) < watched.size())
      conversion = analytics::CheckConversion(series[static_cast<size_t>(w.previous)], series[i],
                                              since, w.thresholds);
    using V = analytics::HealthCheck::Verdict;
    if (volume.verdict == V::kDrop) {
      SP_RETURN_IF_ERROR(alerts.Raise(StepFinding(w, volume, false, end), now).status());
    } else if (conversion && conversion->verdict == V::kDrop) {
      SP_RETURN_IF_ERROR(alerts.Raise(StepFinding(w, *conversion, true, end), now).status());
    } else if (volume.verdict == V::kNormal && (!conversion || conversion->verdict != V::kUnsure)) {
      SP_RETURN_IF_ERROR(alerts.Clear(w.key, now));
    }
  }
  return Status::Ok();
}

Status EvaluateJourneyHealth(const JourneyHealth& cur, const std::optional<JourneyHealth>& previous,
                             AlertService& alerts, TimeMs now) {
  const std::string sends_key = "sends/journey/" + cur.journey;
  const std::string pacing_key = "pacing/journey/" + cur.journey;
  const std::vector<std::string> affected = {"journey/" + cur.journey};
  if (!cur.enabled) {
    SP_RETURN_IF_ERROR(alerts.Clear(sends_key, now));
    return alerts.Clear(pacing_key, now);
  }
  if (previous) {
    const double sent = std::max(0.0, cur.sent - previous->sent);
    const double failed = std::max(0.0, cur.failed - previous->failed);
    if (analytics::SendsFailing(failed, sent)) {
      AlertFinding f;
      f.key = sends_key;
      f.kind = "send_failures";
      f.severity = failed >= sent ? AlertSeverity::kCritical : AlertSeverity::kWarning;
      f.title = fmt::format("journey {}: {} of {} messages failed", cur.journey, failed, sent);
      f.detail = fmt::format(
          "{:.0f} of the {:.0f} messages the journey sent since the last check failed for good "
          "(people exited with reason send_failed). Check the channel's settings and the outbox.",
          failed, sent);
      f.affected = affected;
      f.observed = failed;
      f.expected = sent;
      SP_RETURN_IF_ERROR(alerts.Raise(f, now).status());
    } else if (sent > 0 && failed == 0) {
      SP_RETURN_IF_ERROR(alerts.Clear(sends_key, now));
    }
  }
  if (cur.target_progress && cur.elapsed) {
    if (analytics::PacingBehind(*cur.target_progress, *cur.elapsed)) {
      AlertFinding f;
      f.key = pacing_key;
      f.kind = "goal_pacing";
      f.severity = AlertSeverity::kInfo;
      f.title = fmt::format("journey {}: goal at {} of its target with {} of the time gone",
                            cur.journey, Percent(*cur.target_progress), Percent(*cur.elapsed));
      f.detail = fmt::format(
          "The goal has reached {} of its target while {} of the journey's time (start to end) "
          "has passed: at this pace it ends at about {} of the target.",
          Percent(*cur.target_progress), Percent(*cur.elapsed),
          Percent(*cur.target_progress / std::max(*cur.elapsed, 1e-9)));
      f.affected = affected;
      SP_RETURN_IF_ERROR(alerts.Raise(f, now).status());
    } else {
      SP_RETURN_IF_ERROR(alerts.Clear(pacing_key, now));
    }
  }
  return Status::Ok();
}

}  // namespace signpost::engine
