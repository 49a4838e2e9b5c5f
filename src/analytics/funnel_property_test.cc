// Property test: random profiles and random funnels (seeded) against a brute-force reference
// written as plainly as possible: every attempt is enumerated literally, with no pruning and no
// bitmasks, and every metric is recomputed from the attempts.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>

#include "analytics/funnel_query.h"
#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

struct RefEvent {
  uint64_t profile;
  TimeMs ts;
  uint64_t seq;
  std::string name;
};

struct RefAttempt {
  int start = 0;
  int level = 0;
  std::vector<int> pos;        // by step, -1 = not filled
  std::vector<int> level_pos;  // where each level was reached
};

// One attempt from event s, following the rules of src/analytics/README.md literally.
std::optional<RefAttempt> RefRun(const FunnelDefinition& def, const std::vector<RefEvent>& ev,
                                 int s, DurationMs window) {
  const int n = static_cast<int>(def.steps.size());
  const int count = static_cast<int>(ev.size());
  RefAttempt a;
  a.start = s;
  a.pos.assign(n, -1);
  a.pos[0] = s;
  a.level = 1;
  a.level_pos.push_back(s);
  const TimeMs end = ev[s].ts + window;
  int cur = 0;
  for (int j = s + 1; j < count && ev[j].ts <= end; ++j) {
    const std::string& name = ev[j].name;
    if (def.order == OrderMode::kAny) {
      for (int k = 0; k < n; ++k) {
        if (a.pos[k] == -1 && def.steps[k].name == name) {
          a.pos[k] = j;
          if (!def.steps[k].optional) {
            ++a.level;
            a.level_pos.push_back(j);
          }
          break;
        }
      }
      if (std::count(a.pos.begin(), a.pos.end(), -1) == 0) break;
      continue;
    }
    int chosen = -1;
    for (int k = cur + 1; k < n; ++k) {
      if (def.steps[k].name == name) chosen = k;
      if (!def.steps[k].optional) break;
    }
    if (chosen >= 0) {
      a.pos[chosen] = j;
      if (!def.steps[chosen].optional) {
        ++a.level;
        a.level_pos.push_back(j);
      }
      cur = chosen;
      if (cur == n - 1) break;
    } else if (def.order == OrderMode::kStrict && name != def.steps[cur].name) {
      break;
    }
  }
  for (const Exclusion& x : def.exclusions) {
    int i = x.from_step - 1, k = x.to_step - 1;
    if (a.pos[i] == -1) continue;
    int hi = a.pos[k];
    if (hi == -1) {
      hi = a.pos[i] + 1;
      while (hi < count && ev[hi].ts <= end) ++hi;
    }
    for (int q = a.pos[i] + 1; q < hi; ++q) {
      if (ev[q].name == x.matcher.event) return std::nullopt;
    }
  }
  return a;
}

// The attempts the entry mode counts for one profile (best_only: the best even for each_attempt).
std::vector<RefAttempt> RefCounted(const FunnelDefinition& def, const std::vector<RefEvent>& ev,
                                   DurationMs window, TimeMs from, TimeMs to, bool best_only) {
  std::vector<RefAttempt> out;
  std::optional<RefAttempt> best;
  for (int s = 0; s < static_cast<int>(ev.size()); ++s) {
    if (ev[s].name != def.steps[0].name || ev[s].ts < from || ev[s].ts >= to) continue;
    std::optional<RefAttempt> a = RefRun(def, ev, s, window);
    if (def.entry == EntryMode::kFirstEntry) {
      if (a) out.push_back(*a);
      return out;
    }
    if (def.entry == EntryMode::kEachAttempt && !best_only) {
      if (a) out.push_back(*a);
      continue;
    }
    if (a && (!best || a->level > best->level)) best = a;
  }
  if (best) out.push_back(*best);
  return out;
}

TimingStats RefTiming(std::vector<DurationMs> v) {
  TimingStats t;
  t.samples = v.size();
  if (v.empty()) return t;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  size_t median_rank = (n + 1) / 2;    // ceil(n * 0.5)
  size_t p90_rank = (9 * n + 9) / 10;  // ceil(n * 0.9)
  t.median_ms = v[median_rank - 1];
  t.p90_ms = v[p90_rank - 1];
  double sum = 0;
  for (auto d : v) sum += static_cast<double>(d);
  t.mean_ms = sum / static_cast<double>(n);
  return t;
}

struct World {
  std::vector<RefEvent> events;                          // in arrival (seq) order
  std::map<uint64_t, std::vector<RefEvent>> by_profile;  // sorted by (ts, seq)
};

World RandomWorld(std::mt19937_64& rng) {
  World w;
  const char* names[] = {"A", "B", "C", "D", "E"};
  int profiles = 1 + static_cast<int>(rng() % 40);
  uint64_t seq = 0;
  for (int p = 1; p <= profiles; ++p) {
    int count = static_cast<int>(rng() % 13);
    for (int i = 0; i < count; ++i) {
      // Minute granularity over 10 hours and across two days: ties happen.
      TimeMs ts = static_cast<TimeMs>(rng() % 3) * 12 * kHourMs +
                  static_cast<TimeMs>(rng() % 600) * kMinuteMs;
      w.events.push_back(RefEvent{static_cast<uint64_t>(p), ts, 0, names[rng() % 5]});
    }
  }
  std::shuffle(w.events.begin(), w.events.end(), rng);
  for (auto& e : w.events) e.seq = ++seq;
  for (const auto& e : w.events) w.by_profile[e.profile].push_back(e);
  for (auto& [p, v] : w.by_profile) {
    std::sort(v.begin(), v.end(), [](const RefEvent& a, const RefEvent& b) {
      return a.ts != b.ts ? a.ts < b.ts : a.seq < b.seq;
    });
  }
  return w;
}

FunnelDefinition RandomFunnel(std::mt19937_64& rng, OrderMode order, EntryMode entry) {
  const char* names[] = {"A", "B", "C", "D", "E"};
  FunnelDefinition def;
  def.id = FunnelId("random");
  def.order = order;
  def.entry = entry;
  const DurationMs windows[] = {30 * kMinuteMs, 2 * kHourMs, 5 * kHourMs, kDayMs};
  def.window = windows[rng() % 4];
  int n = 1 + static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i) {
    FunnelStep s;
    s.name = names[rng() % 5];
    s.any_of.push_back(rules::EventMatcher{s.name, {}});
    s.optional = i > 0 && rng() % 5 == 0;
    def.steps.push_back(s);
  }
  if (n >= 2 && rng() % 3 == 0) {
    Exclusion x;
    x.matcher.event = names[rng() % 5];
    x.from_step = 1 + static_cast<int>(rng() % (n - 1));
    x.to_step = x.from_step + 1 + static_cast<int>(rng() % (n - x.from_step));
    def.exclusions.push_back(x);
  }
  return def;
}

void CheckOne(uint64_t seed, OrderMode order, EntryMode entry) {
  std::mt19937_64 rng(seed);
  World w = RandomWorld(rng);
  FunnelDefinition def = RandomFunnel(rng, order, entry);
  FunnelOptions options;
  TimeMs from = INT64_MIN, to = INT64_MAX;
  if (rng() % 3 == 0) {
    from = static_cast<TimeMs>(rng() % 600) * kMinuteMs;
    to = from + static_cast<TimeMs>(rng() % 1800) * kMinuteMs;
    options.from = from;
    options.to = to;
  }
  options.completion_windows = {kHourMs, 3 * kHourMs};
  options.trend = TrendUnit::kDay;
  std::string label;
  for (const auto& s : def.steps) label += s.name + (s.optional ? "?" : "") + ">";
  SCOPED_TRACE("seed " + std::to_string(seed) + " order " + OrderModeName(order) + " entry " +
               EntryModeName(entry) + " steps " + label + " window " + std::to_string(def.window) +
               " exclusions " + std::to_string(def.exclusions.size()));

  // Reference metrics.
  const int n = static_cast<int>(def.steps.size());
  std::vector<int> required;
  for (int i = 0; i < n; ++i) {
    if (!def.steps[i].optional) required.push_back(i);
  }
  const int R = static_cast<int>(required.size());
  std::vector<uint64_t> count(n, 0), dropped(n, 0), ttc(11, 0);
  std::vector<std::vector<DurationMs>> gaps(n);
  std::map<TimeMs, std::pair<uint64_t, uint64_t>> trend;
  const std::vector<DurationMs> edges = {0,          kMinuteMs,   5 * kMinuteMs, 15 * kMinuteMs,
                                         kHourMs,    6 * kHourMs, kDayMs,        3 * kDayMs,
                                         7 * kDayMs, 14 * kDayMs, 30 * kDayMs};
  for (const auto& [p, ev] : w.by_profile) {
    for (const RefAttempt& a : RefCounted(def, ev, def.window, from, to, false)) {
      for (int r = 0; r < R; ++r) {
        if (a.level > r) ++count[required[r]];
        if (a.level == r + 1 && r + 1 < R) ++dropped[required[r]];
        if (r > 0 && a.level > r)
          gaps[required[r]].push_back(ev[a.level_pos[r]].ts - ev[a.level_pos[r - 1]].ts);
      }
      for (int k = 0; k < n; ++k) {
        if (def.steps[k].optional && a.pos[k] != -1) ++count[k];
      }
      if (a.level == R) {
        DurationMs d = ev[a.level_pos[R - 1]].ts - ev[a.start].ts;
        int b = 0;
        while (b + 1 < 11 && edges[b + 1] <= d) ++b;
        ++ttc[b];
      }
      TimeMs day = ev[a.start].ts / kDayMs * kDayMs;
      ++trend[day].first;
      if (a.level == R) ++trend[day].second;
    }
  }

  // The engine, sealed and unsealed, 1 and 3 threads.
  for (bool seal : {true, false}) {
    for (int threads : {1, 3}) {
      EventIndex index;
      for (const RefEvent& e : w.events) {
        index.Add(ProfileId(e.profile), testing::TrackEvent(e.seq, e.ts, e.name));
      }
      if (seal) index.Seal();
      options.threads = threads;
      auto report = RunFunnel(index, def, options, nullptr);
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      for (int k = 0; k < n; ++k) {
        const StepStats& s = report->steps[k];
        EXPECT_EQ(s.count, count[k]) << "step " << k + 1;
        EXPECT_EQ(s.dropped, dropped[k]) << "step " << k + 1;
        if (!def.steps[k].optional && k > 0) {
          TimingStats t = RefTiming(gaps[k]);
          ASSERT_TRUE(s.time_from_previous.has_value());
          EXPECT_EQ(s.time_from_previous->samples, t.samples) << "step " << k + 1;
          EXPECT_EQ(s.time_from_previous->median_ms, t.median_ms) << "step " << k + 1;
          EXPECT_EQ(s.time_from_previous->p90_ms, t.p90_ms) << "step " << k + 1;
          EXPECT_DOUBLE_EQ(s.time_from_previous->mean_ms, t.mean_ms) << "step " << k + 1;
        }
      }
      EXPECT_EQ(report->time_to_convert.counts, ttc);
      ASSERT_EQ(report->trend.size(), trend.size());
      size_t i = 0;
      for (const auto& [day, cell] : trend) {
        EXPECT_EQ(report->trend[i].start, day);
        EXPECT_EQ(report->trend[i].entered, cell.first);
        EXPECT_EQ(report->trend[i].completed, cell.second);
        ++i;
      }
      for (size_t c = 0; c < options.completion_windows.size(); ++c) {
        uint64_t entered = 0, completed = 0;
        for (const auto& [p, ev] : w.by_profile) {
          for (const RefAttempt& a :
               RefCounted(def, ev, options.completion_windows[c], from, to, false)) {
            ++entered;
            completed += a.level == R ? 1 : 0;
          }
        }
        EXPECT_EQ(report->completion[c].entered, entered) << "completion window " << c;
        EXPECT_EQ(report->completion[c].completed, completed) << "completion window " << c;
      }
      // Counts only (the one-pass kernel when the plan allows it) agree.
      FunnelOptions counts_only = options;
      counts_only.timings = false;
      counts_only.trend = TrendUnit::kNone;
      auto fast = RunFunnel(index, def, counts_only, nullptr);
      ASSERT_TRUE(fast.ok());
      for (int k = 0; k < n; ++k)
        EXPECT_EQ(fast->steps[k].count, count[k]) << "counts-only step " << k + 1;
      // People who dropped at the first required step that has a next one.
      if (R >= 2) {
        PeopleQuery q;
        q.dropped_at = required[0] + 1;
        auto people = FunnelPeople(index, def, options, q, nullptr);
        ASSERT_TRUE(people.ok()) << people.status().ToString();
        std::vector<uint64_t> got, want;
        for (const auto& person : *people) got.push_back(person.profile.value());
        for (const auto& [p, ev] : w.by_profile) {
          auto best = RefCounted(def, ev, def.window, from, to, true);
          if (!best.empty() && best[0].level == 1) want.push_back(p);
        }
        EXPECT_EQ(got, want);
      }
    }
  }
}

class FunnelProperty : public ::testing::TestWithParam<std::tuple<OrderMode, EntryMode>> {};

TEST_P(FunnelProperty, MatchesBruteForceReference) {
  auto [order, entry] = GetParam();
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    CheckOne(seed * 7919 + static_cast<uint64_t>(order) * 31 + static_cast<uint64_t>(entry), order,
             entry);
    if (HasFailure()) break;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllModes, FunnelProperty,
    ::testing::Combine(::testing::Values(OrderMode::kOrdered, OrderMode::kStrict, OrderMode::kAny),
                       ::testing::Values(EntryMode::kAnyAttempt, EntryMode::kFirstEntry,
                                         EntryMode::kEachAttempt)),
    [](const auto& info) {
      return std::string(OrderModeName(std::get<0>(info.param))) + "_" +
             EntryModeName(std::get<1>(info.param));
    });

}  // namespace
}  // namespace signpost::analytics
