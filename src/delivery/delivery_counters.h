// DeliveryCounters: what the delivery service's attempts came to since start, per channel id —
// messages sent (accepted by the provider or written), failed for good, and attempts that failed
// for now and will be retried — as the Prometheus counters of /metrics
// (signpost_delivery_messages_{sent,failed,retried}_total{channel="..."}).
//
// Thread-safety: every method may be called from any thread (one mutex; a count per attempt, off
// the HTTP path).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/mutex.h"
#include "delivery/outbox.h"

namespace signpost::delivery {

class DeliveryCounters {
 public:
  struct Counts {
    uint64_t sent = 0;
    uint64_t failed = 0;   // failed for good (permanent, or out of attempts)
    uint64_t retried = 0;  // failed for now; another attempt is scheduled
  };

  // Counts one settled attempt through `channel` by the item's state after it: kSent → sent,
  // kFailed → failed, kPending (a retry is scheduled) → retried.
  void Count(std::string_view channel, OutboxState state_after) EXCLUDES(mu_);
  // The counts of `channel` (zero when it never sent).
  Counts Of(std::string_view channel) const EXCLUDES(mu_);
  // The three counter families, one sample per channel that attempted a message, labels escaped.
  std::string MetricsText() const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::map<std::string, Counts, std::less<>> by_channel_ GUARDED_BY(mu_);
};

}  // namespace signpost::delivery
