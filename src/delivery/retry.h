// The retry policy: after the n-th failed attempt (n >= 1) the next one waits
// base * 2^(n-1), capped at `max_delay`, times a random factor in [0.8, 1.2] (jitter, so a
// provider that comes back is not hit by every queued message at once). After `max_attempts`
// attempts a transient failure becomes permanent.
#pragma once

#include <cstdint>
#include <random>

#include "signpost/clock.h"

namespace signpost::delivery {

struct RetryPolicy {
  uint32_t max_attempts = 6;
  DurationMs base_delay = 30 * kSecondMs;
  DurationMs max_delay = kHourMs;

  // The wait after `attempts` failed attempts. `rng` is the caller's (not thread-safe).
  DurationMs Delay(uint32_t attempts, std::mt19937_64& rng) const {
    DurationMs d = base_delay;
    for (uint32_t i = 1; i < attempts && d < max_delay; ++i) d *= 2;
    if (d > max_delay) d = max_delay;
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    return static_cast<DurationMs>(static_cast<double>(d) * jitter(rng));
  }
};

}  // namespace signpost::delivery
