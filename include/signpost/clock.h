// The injected clock. Every time-dependent rule reads time through a Clock, so tests run
// days of journey time in milliseconds and `replay` moves time from event to event.
// Times are milliseconds since the Unix epoch, UTC.
#pragma once

#include <atomic>
#include <cstdint>

namespace signpost {

using TimeMs = int64_t;      // a point in time, ms since 1970-01-01T00:00:00Z
using DurationMs = int64_t;  // a span of time in ms

constexpr DurationMs kSecondMs = 1000;
constexpr DurationMs kMinuteMs = 60 * kSecondMs;
constexpr DurationMs kHourMs = 60 * kMinuteMs;
constexpr DurationMs kDayMs = 24 * kHourMs;

// Thread-safety: NowMs() may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override;
};

// A clock moved by hand (tests, replay). Starts at `start`.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start = 0) : now_(start) {}
  TimeMs NowMs() const override { return now_.load(std::memory_order_acquire); }
  void Set(TimeMs t) { now_.store(t, std::memory_order_release); }
  void Advance(DurationMs d) { now_.fetch_add(d, std::memory_order_acq_rel); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace signpost
