// A channel's rate limit (`rate_limit: { per_second, burst }`): a token bucket on the engine's
// clock. It holds at most `burst` tokens and gains `per_second` a second; a send takes one. A
// send that finds none is not made now: the caller defers the message to the time Take gives,
// the next free slot after the previous deferred one (1/per_second apart), so the messages one
// pass defers come due one by one instead of all at the next instant, and a rate-limited channel
// never holds the outbox's other due messages back.
// Thread-safety: not thread-safe; the engine keeps each bucket under its own lock.
#pragma once

#include <algorithm>
#include <cmath>

#include "signpost/clock.h"

namespace signpost::delivery {

class TokenBucket {
 public:
  // A full bucket at `now`. `per_second` > 0, `burst` >= 1.
  TokenBucket(double per_second, double burst, TimeMs now)
      : rate_(per_second), burst_(burst), tokens_(burst), last_(now) {}

  double per_second() const { return rate_; }
  double burst() const { return burst_; }

  // Takes a token at `now`: true when there was one. Else false, and `*retry_at` (when not null)
  // is when the deferred message should be tried again.
  bool Take(TimeMs now, TimeMs* retry_at) {
    if (now > last_) {
      tokens_ = std::min(burst_, tokens_ + static_cast<double>(now - last_) * rate_ / 1000.0);
      last_ = now;
    }
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    const auto interval = static_cast<DurationMs>(std::ceil(1000.0 / rate_));
    const auto refill = static_cast<DurationMs>(std::ceil((1.0 - tokens_) * 1000.0 / rate_));
    next_slot_ = std::max(next_slot_ + std::max<DurationMs>(1, interval), now + refill);
    if (retry_at != nullptr) *retry_at = next_slot_;
    return false;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  TimeMs last_;
  TimeMs next_slot_ = 0;  // the retry time given to the latest deferred message
};

}  // namespace signpost::delivery
