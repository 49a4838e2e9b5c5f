// Timing helpers of the store benchmark programs (not a library; bench code only).
// Thread-safe: pure functions over process counters.
#pragma once

#include <sys/resource.h>

#include <chrono>

namespace signpost::store::bench {

using Clock = std::chrono::steady_clock;

// CPU seconds used by the whole process so far (all threads, user + system): on a shared machine
// this is the load-independent figure.
inline double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Wall seconds since `since`.
inline double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace signpost::store::bench
