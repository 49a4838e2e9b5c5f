// The synthetic event model shared by the benchmark programs: a seeded PRNG, the 20 event names
// (five of them the onboarding funnel), and the events of one profile as a pure function of
// (seed, profile id, event count). Same inputs, same events: nothing here reads a clock or global
// state.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace signpost::bench {

// SplitMix64: turns any 64-bit value into a well-mixed one. Used to seed and to hash.
inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// xoshiro256** (Blackman and Vigna): a small fast PRNG. Not thread-safe; one per thread or profile.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : s_) seed = word = SplitMix64(seed);
  }
  // A uniform 64-bit value.
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>(Uniform() * static_cast<double>(n)); }
  // Exponentially distributed with the given mean.
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

// The funnel the benchmarks measure, in step order.
inline constexpr std::array<std::string_view, 5> kFunnelSteps = {
    "Signed Up", "Email Verified", "Project Created", "Teammate Invited", "Order Completed"};

// Every event name: the five funnel steps first (ids 0..4), then 15 others.
inline constexpr std::array<std::string_view, 20> kEventNames = {
    "Signed Up",        "Email Verified", "Project Created", "Teammate Invited",
    "Order Completed",  "Page Viewed",    "Button Clicked",  "Search Performed",
    "Product Viewed",   "Product Added",  "Cart Viewed",     "Checkout Started",
    "Settings Updated", "File Uploaded",  "Comment Added",   "Notification Opened",
    "Session Started",  "Logged In",      "Logged Out",      "Help Viewed"};

// One generated event. 16 bytes, so a pass of the generator can hold tens of millions.
struct SyntheticEvent {
  int64_t ts_ms;     // epoch milliseconds, strictly increasing within a profile
  uint32_t profile;  // 1-based profile id
  uint16_t seq;      // index of the event within its profile (0-based)
  uint8_t name;      // index into kEventNames
  uint8_t unused = 0;
};
static_assert(sizeof(SyntheticEvent) == 16);

// Largest number of events one profile may have (seq is 16 bits).
inline constexpr uint32_t kMaxEventsPerProfile = 65535;

// How profiles behave. The defaults give a realistic onboarding funnel: most profiles sign up,
// fewer get through each later step, and long pauses push some beyond a 7-day window.
struct ProfileModel {
  double p_enter = 0.75;  // a profile's events include the funnel's step 1
  std::array<double, 4> step_through = {0.62, 0.55, 0.48, 0.40};  // step i -> i+1, if no window
  double p_minutes = 0.60;     // a gap between two events is minutes (mean 10 min) ...
  double p_hours = 0.30;       // ... or hours (mean 8 h), else days (mean 4 days)
  int funnel_name_weight = 1;  // weight of a funnel name among the noise events ...
  int other_name_weight = 10;  // ... against each of the 15 other names
};

// The events of profile `profile` (count >= 1 of them), appended to `out` in time order, all inside
// [start_ms, start_ms + range_ms). Deterministic in (seed, profile, count, model, start, range).
inline void GenerateProfile(uint64_t seed, uint32_t profile, uint32_t count, int64_t start_ms,
                            int64_t range_ms, const ProfileModel& model,
                            std::vector<SyntheticEvent>& out) {
  Rng rng(SplitMix64(seed) ^ SplitMix64(0xC0FFEEULL + profile));
  // How deep the profile goes into the funnel, if nothing (window, noise) got in the way.
  uint32_t depth = 0;
  if (rng.Uniform() < model.p_enter) {
    depth = 1;
    while (depth < 5 && rng.Uniform() < model.step_through[depth - 1]) ++depth;
  }
  depth = std::min(depth, count);
  // Gaps: the first event at t0, each next one a positive gap later.
  const size_t first = out.size();
  out.resize(first + count);
  int64_t span = 0;
  std::vector<int64_t> gaps(count, 0);
  for (uint32_t i = 1; i < count; ++i) {
    const double kind = rng.Uniform();
    const double mean_ms = kind < model.p_minutes                   ? 10 * 60e3
                           : kind < model.p_minutes + model.p_hours ? 8 * 3600e3
                                                                    : 4 * 86400e3;
    gaps[i] = 1 + static_cast<int64_t>(rng.Exponential(mean_ms));
    span += gaps[i];
  }
  const int64_t longest = range_ms / 10 * 9;  // a history longer than 90% of the range ...
  if (span >= longest) {                      // ... is squeezed to 90% of it, keeping gaps >= 1 ms
    const double scale = static_cast<double>(longest - count) / static_cast<double>(span);
    span = 0;
    for (uint32_t i = 1; i < count; ++i) {
      gaps[i] = 1 + static_cast<int64_t>(static_cast<double>(gaps[i] - 1) * scale);
      span += gaps[i];
    }
  }
  int64_t t = start_ms + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(range_ms - span)));
  // Funnel steps at a uniformly random ordered subset of the positions; noise everywhere else.
  constexpr int kOthers = static_cast<int>(kEventNames.size()) - 5;
  const int total_weight = 5 * model.funnel_name_weight + kOthers * model.other_name_weight;
  uint32_t placed = 0;
  for (uint32_t i = 0; i < count; ++i) {
    t += gaps[i];
    uint8_t name;
    if (placed < depth && rng.Below(count - i) < depth - placed) {
      name = static_cast<uint8_t>(placed++);
    } else {
      int pick = static_cast<int>(rng.Below(static_cast<uint64_t>(total_weight)));
      if (pick < 5 * model.funnel_name_weight) {
        name = static_cast<uint8_t>(pick / model.funnel_name_weight);
      } else {
        name = static_cast<uint8_t>(5 + (pick - 5 * model.funnel_name_weight) /
                                            model.other_name_weight);
      }
    }
    out[first + i] = SyntheticEvent{t, profile, static_cast<uint16_t>(i), name};
  }
}

// Splits `events` over `profiles` (each >= 1, mean events/profiles, exponential tail, at most
// kMaxEventsPerProfile), summing to exactly `events`. Requires profiles <= events and
// events <= profiles * kMaxEventsPerProfile. Deterministic in (seed, events, profiles).
inline std::vector<uint32_t> EventsPerProfile(uint64_t seed, uint64_t events, uint64_t profiles) {
  std::vector<uint32_t> counts(profiles, 1);
  Rng rng(SplitMix64(seed ^ 0xA5A5A5A5ULL));
  uint64_t remaining = events;
  for (uint64_t i = 0; i < profiles; ++i) {
    const uint64_t left = profiles - i;  // profiles still to fill, this one included
    const uint64_t most = std::min<uint64_t>(remaining - (left - 1), kMaxEventsPerProfile);
    uint64_t n;
    if (left == 1) {
      n = remaining;
    } else {
      const double mean = static_cast<double>(remaining) / static_cast<double>(left);
      n = 1 + static_cast<uint64_t>(rng.Exponential(std::max(0.0, mean - 1)));
      // Never leave more for the rest than they can hold.
      const uint64_t least = remaining > (left - 1) * kMaxEventsPerProfile
                                 ? remaining - (left - 1) * kMaxEventsPerProfile
                                 : 1;
      n = std::clamp<uint64_t>(n, least, most);
    }
    counts[i] = static_cast<uint32_t>(n);
    remaining -= n;
  }
  return counts;
}

}  // namespace signpost::bench
