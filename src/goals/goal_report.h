// The goal report of one journey: entered, attained, rate, target progress, the holdout and the
// lift over it, attainment over time, by variant, by channel, by segment, time to goal, and the
// people who attained it. Fed one profile at a time (its entries and its credit, from
// attribution.h); partial builders of disjoint profiles merge. Field meanings: src/goals/README.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "goals/attribution.h"
#include "signpost/reports.h"

namespace signpost::goals {

struct GoalReportOptions {
  std::optional<TimeMs> from, to;  // only entries with entered_at in [from, to); default: all
  enum class Bucket { kDay, kWeek };
  Bucket over_time = Bucket::kDay;  // UTC days, or weeks starting on Monday
  std::vector<SegmentId> segments;  // by_segment rows, in this order; default none
  double level = 0.95;              // confidence level of the intervals
};

// One profile that attained the goal (signpost/reports.h).
using GoalPerson = ::signpost::GoalPerson;

// Accumulates the report of one journey's goal. Not thread-safe: one builder per thread, then
// Merge the partials (of disjoint sets of profiles) into one.
class GoalReportBuilder {
 public:
  // `version`: the journey version whose goal is reported (the report's `version` field).
  GoalReportBuilder(JourneyGoal journey, uint64_t version, GoalReportOptions options = {});

  // Adds one profile. `entries`: its entries (those of other journeys are ignored); `credit`: its
  // credit for this journey from AttributeProfile, or nullptr; `in_segment(name)`: membership in
  // each of options.segments (may be empty when there are none). A profile without an entry in
  // the [from, to) range adds nothing. Each profile must be added once, to one builder.
  void AddProfile(std::string_view profile, std::span<const EntryRecord> entries,
                  const Credit* credit,
                  const std::function<bool(const SegmentId& segment)>& in_segment = {});

  // Adds the counts of `other` (built with the same journey and options over other profiles).
  void Merge(const GoalReportBuilder& other);

  // The report (names in src/goals/README.md; src/wire writes it as JSON). Thread-safe against
  // other const calls.
  GoalReport Report() const;

  // Who attained the goal (holdout members too, flagged), by attained_at then profile.
  std::vector<GoalPerson> People() const;

 private:
  struct Counts {
    uint64_t entered = 0;
    uint64_t attained = 0;
  };
  JourneyGoal journey_;
  uint64_t version_;
  GoalReportOptions options_;
  Counts treated_, holdout_;
  std::map<std::string, Counts> by_variant_;
  std::map<std::string, uint64_t> by_channel_;
  std::vector<Counts> by_segment_;
  std::map<TimeMs, Counts> over_time_;  // bucket start -> entered (first entry), attained (hit)
  std::vector<DurationMs> time_to_goal_;
  std::vector<GoalPerson> people_;
};

}  // namespace signpost::goals
