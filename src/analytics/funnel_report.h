// FunnelReport: what a funnel query returns, and its JSON form (the shape the API serves).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "signpost/clock.h"

namespace signpost::analytics {

// Time between two steps over the attempts that made it: nearest-rank median and p90, and mean.
struct TimingStats {
  uint64_t samples = 0;
  DurationMs median_ms = 0;
  DurationMs p90_ms = 0;
  double mean_ms = 0;
};

struct StepStats {
  std::string name;
  bool optional = false;
  uint64_t count = 0;  // profiles (or attempts, for each_attempt) that reached it
  double conversion_from_previous =
      0;                             // count / count of the previous required step (1 for step 1)
  double conversion_from_first = 0;  // count / count of step 1
  uint64_t dropped = 0;              // reached this step but not the next required one
  double dropoff_rate = 0;           // dropped / count
  std::optional<TimingStats> time_from_previous;  // required steps after step 1
};

// Counts of time-to-convert (step 1 to the last step) in buckets [edges[i], edges[i+1]); the
// last bucket is [edges.back(), infinity).
struct Histogram {
  std::vector<DurationMs> edges;
  std::vector<uint64_t> counts;
};

struct CompletionWithin {
  DurationMs window = 0;
  uint64_t entered = 0;
  uint64_t completed = 0;
  double rate = 0;
};

struct TrendPoint {
  TimeMs start = 0;  // start of the day or week (UTC; weeks start on Monday)
  uint64_t entered = 0;
  uint64_t completed = 0;
  double rate = 0;
};

struct BreakdownRow {
  std::string value;  // the attributed value, "(none)" when missing, "other" for the rest
  std::vector<uint64_t> counts;  // per step, like StepStats::count
  double conversion = 0;         // last required step / step 1
};

struct FunnelReport {
  std::string definition_id;
  int64_t definition_version = 0;
  std::string unit = "profiles";  // "attempts" for each_attempt
  std::string order, entry;
  DurationMs window = 0;
  std::optional<TimeMs> from, to;
  bool segment = false;  // restricted to a set of profiles
  uint64_t segment_size = 0;
  uint64_t entered = 0;    // = steps[0].count
  uint64_t completed = 0;  // reached the last required step
  double conversion = 0;   // completed / entered
  std::vector<StepStats> steps;
  Histogram time_to_convert;
  std::vector<CompletionWithin> completion;
  std::string trend_unit;  // "", "day" or "week"
  std::vector<TrendPoint> trend;
  std::string breakdown_by;  // "" when no breakdown
  std::string attribution;   // "first", "last" or "step:N"
  std::vector<BreakdownRow> breakdown;
};

// The report as JSON: durations in ms, times as ISO 8601 and ms. Pure: thread-safe.
nlohmann::json ToJson(const FunnelReport& report);

}  // namespace signpost::analytics
