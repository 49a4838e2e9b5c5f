#include "goals/goal_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <utility>

#include "base/time.h"
#include "experiments/stats.h"

namespace signpost::goals {

namespace {

constexpr std::string_view kNone = "(none)";

double Rate(uint64_t k, uint64_t n) {
  return n == 0 ? 0.0 : static_cast<double>(k) / static_cast<double>(n);
}

RateInterval Interval(const experiments::stats::Interval& i) { return {i.low, i.high}; }

// Start of the UTC day, or of the week (Monday), holding `t`.
TimeMs BucketStart(TimeMs t, GoalReportOptions::Bucket bucket) {
  int64_t day = t >= 0 ? t / kDayMs : -((-t + kDayMs - 1) / kDayMs);
  if (bucket == GoalReportOptions::Bucket::kWeek) {
    int64_t weekday = ((day % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday: 0 = Monday
    day -= weekday;
  }
  return day * kDayMs;
}

// Nearest rank: the ceil(q*n)-th smallest of sorted `v` (n > 0).
DurationMs Rank(const std::vector<DurationMs>& v, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

struct Bucket {
  const char* label;
  DurationMs from;
};
constexpr std::array<Bucket, 6> kTimeBuckets = {{{"<1h", 0},
                                                 {"1h-6h", kHourMs},
                                                 {"6h-24h", 6 * kHourMs},
                                                 {"1d-3d", kDayMs},
                                                 {"3d-7d", 3 * kDayMs},
                                                 {">7d", 7 * kDayMs}}};

GoalReport::TimeToGoal TimeToGoal(std::vector<DurationMs> v) {
  std::sort(v.begin(), v.end());
  GoalReport::TimeToGoal t;
  t.samples = v.size();
  for (size_t b = 0; b < kTimeBuckets.size(); ++b) {
    DurationMs from = kTimeBuckets[b].from;
    bool last = b + 1 == kTimeBuckets.size();
    DurationMs to = last ? 0 : kTimeBuckets[b + 1].from;
    auto lo = std::lower_bound(v.begin(), v.end(), from);
    auto hi = last ? v.end() : std::lower_bound(v.begin(), v.end(), to);
    t.histogram.push_back({kTimeBuckets[b].label, from,
                           last ? std::nullopt : std::optional<DurationMs>(to),
                           static_cast<uint64_t>(hi - lo)});
  }
  if (!v.empty()) {
    t.median_ms = Rank(v, 0.5);
    t.p90_ms = Rank(v, 0.9);
    t.mean_ms = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  }
  return t;
}

}  // namespace

GoalReportBuilder::GoalReportBuilder(JourneyGoal journey, uint64_t version,
                                     GoalReportOptions options)
    : journey_(std::move(journey)),
      version_(version),
      options_(std::move(options)),
      by_segment_(options_.segments.size()) {}

void GoalReportBuilder::AddProfile(
    std::string_view profile, std::span<const EntryRecord> entries, const Credit* credit,
    const std::function<bool(const SegmentId& segment)>& in_segment) {
  auto in_range = [&](TimeMs t) {
    return (!options_.from || t >= *options_.from) && (!options_.to || t < *options_.to);
  };
  const EntryRecord* first = nullptr;
  for (const EntryRecord& e : entries) {
    if (e.journey != journey_.journey || !in_range(e.entered_at)) continue;
    if (first == nullptr || e.entered_at < first->entered_at ||
        (e.entered_at == first->entered_at && e.entered_seq < first->entered_seq)) {
      first = &e;
    }
  }
  if (first == nullptr) return;
  // Attained: a credit for this journey whose entry is in the range. The profile's group and
  // variant come from the credited entry when attained, else from its first entry in the range.
  const bool attained =
      credit != nullptr && credit->journey == journey_.journey && in_range(credit->entered_at);
  const bool holdout = attained ? credit->holdout : first->holdout;
  const std::string& variant = attained ? credit->variant : first->variant;
  Counts& group = holdout ? holdout_ : treated_;
  ++group.entered;
  if (attained) {
    ++group.attained;
    people_.push_back({std::string(profile), credit->hit_at, credit->entry, credit->entered_at,
                       credit->hit_event, credit->channel, credit->variant, credit->holdout});
  }
  if (holdout) return;  // the breakdowns describe treated profiles
  Counts& v = by_variant_[variant.empty() ? std::string(kNone) : variant];
  ++v.entered;
  ++over_time_[BucketStart(first->entered_at, options_.over_time)].entered;
  for (size_t s = 0; s < options_.segments.size(); ++s) {
    if (!in_segment || !in_segment(options_.segments[s])) continue;
    ++by_segment_[s].entered;
    if (attained) ++by_segment_[s].attained;
  }
  if (!attained) return;
  ++v.attained;
  ++by_channel_[credit->channel.empty() ? std::string(kNone) : credit->channel];
  ++over_time_[BucketStart(credit->hit_at, options_.over_time)].attained;
  time_to_goal_.push_back(credit->hit_at - credit->entered_at);
}

void GoalReportBuilder::Merge(const GoalReportBuilder& other) {
  auto add = [](Counts& a, const Counts& b) {
    a.entered += b.entered;
    a.attained += b.attained;
  };
  add(treated_, other.treated_);
  add(holdout_, other.holdout_);
  for (const auto& [k, c] : other.by_variant_) add(by_variant_[k], c);
  for (const auto& [k, c] : other.by_channel_) by_channel_[k] += c;
  for (size_t s = 0; s < by_segment_.size() && s < other.by_segment_.size(); ++s)
    add(by_segment_[s], other.by_segment_[s]);
  for (const auto& [k, c] : other.over_time_) add(over_time_[k], c);
  time_to_goal_.insert(time_to_goal_.end(), other.time_to_goal_.begin(), other.time_to_goal_.end());
  people_.insert(people_.end(), other.people_.begin(), other.people_.end());
}

GoalReport GoalReportBuilder::Report() const {
  namespace stats = experiments::stats;
  GoalReport r;
  r.journey = journey_.journey.value();
  r.version = version_;
  r.goal = View(journey_.goal);
  r.listening_window = journey_.listening_window;
  r.from = options_.from;
  r.to = options_.to;
  r.entered = treated_.entered;
  r.attained = treated_.attained;
  r.rate = Rate(treated_.attained, treated_.entered);
  r.rate_interval = Interval(stats::Wilson(treated_.attained, treated_.entered, options_.level));
  if (journey_.goal.target && journey_.goal.target->kind == GoalTarget::Kind::kPercent) {
    r.target_progress = r.rate / (journey_.goal.target->value / 100.0);
  } else if (journey_.goal.target) {
    r.target_progress = static_cast<double>(treated_.attained) / journey_.goal.target->value;
  }
  r.holdout = {holdout_.entered, holdout_.attained};
  r.holdout_rate = Rate(holdout_.attained, holdout_.entered);
  if (holdout_.entered != 0 && treated_.entered != 0) {
    stats::Interval diff = stats::NewcombeDifference(
        treated_.attained, treated_.entered, holdout_.attained, holdout_.entered, options_.level);
    GoalLift& l = r.lift.emplace();
    l.absolute = r.rate - r.holdout_rate;
    l.absolute_interval = Interval(diff);
    if (r.holdout_rate > 0) l.relative = r.rate / r.holdout_rate - 1;
    l.relative_interval = Interval(stats::RelativeLift(
        treated_.attained, treated_.entered, holdout_.attained, holdout_.entered, options_.level));
    l.level = options_.level;
    l.significant = diff.low > 0 || diff.high < 0;
  }
  uint64_t cumulative = 0;
  for (const auto& [start, c] : over_time_) {
    cumulative += c.attained;
    r.over_time.push_back({FormatIso8601(start).substr(0, 10), c.entered, c.attained, cumulative});
  }
  r.over_time_unit = options_.over_time == GoalReportOptions::Bucket::kDay ? "day" : "week";
  for (const auto& [name, c] : by_variant_) {
    r.by_variant.push_back({name, c.entered, c.attained, Rate(c.attained, c.entered),
                            Interval(stats::Wilson(c.attained, c.entered, options_.level))});
  }
  for (const auto& [name, n] : by_channel_) {
    r.by_channel.push_back({name, n, Rate(n, treated_.attained)});
  }
  for (size_t s = 0; s < by_segment_.size(); ++s) {
    const Counts& c = by_segment_[s];
    r.by_segment.push_back(
        {options_.segments[s], c.entered, c.attained, Rate(c.attained, c.entered)});
  }
  r.time_to_goal = TimeToGoal(time_to_goal_);
  return r;
}

std::vector<GoalPerson> GoalReportBuilder::People() const {
  std::vector<GoalPerson> out = people_;
  std::sort(out.begin(), out.end(), [](const GoalPerson& a, const GoalPerson& b) {
    return a.attained_at != b.attained_at ? a.attained_at < b.attained_at : a.profile < b.profile;
  });
  return out;
}

}  // namespace signpost::goals
