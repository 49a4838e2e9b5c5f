#include "delivery/delivery_counters.h"

#include <fmt/format.h>

#include "base/prometheus_text.h"

namespace signpost::delivery {

void DeliveryCounters::Count(std::string_view channel, OutboxState state_after) {
  MutexLock lock(mu_);
  auto it = by_channel_.find(channel);
  if (it == by_channel_.end()) it = by_channel_.emplace(std::string(channel), Counts{}).first;
  Counts& c = it->second;
  switch (state_after) {
    case OutboxState::kSent:
      ++c.sent;
      break;
    case OutboxState::kFailed:
      ++c.failed;
      break;
    case OutboxState::kPending:
      ++c.retried;
      break;
  }
}

DeliveryCounters::Counts DeliveryCounters::Of(std::string_view channel) const {
  MutexLock lock(mu_);
  auto it = by_channel_.find(channel);
  return it == by_channel_.end() ? Counts{} : it->second;
}

std::string DeliveryCounters::MetricsText() const {
  std::map<std::string, Counts, std::less<>> copy;
  {
    MutexLock lock(mu_);
    copy = by_channel_;
  }
  struct Family {
    const char* name;
    const char* help;
    uint64_t Counts::*field;
  };
  static constexpr Family kFamilies[] = {
      {"signpost_delivery_messages_sent_total",
       "Messages accepted by their channel's provider (or written, for a file channel).",
       &Counts::sent},
      {"signpost_delivery_messages_failed_total",
       "Messages that failed for good (a permanent error, or out of attempts).", &Counts::failed},
      {"signpost_delivery_messages_retried_total",
       "Attempts that failed for now and were scheduled again.", &Counts::retried},
  };
  std::string out;
  for (const Family& f : kFamilies) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n", f.name, f.help);
    for (const auto& [channel, counts] : copy)
      out += fmt::format("{}{{channel=\"{}\"}} {}\n", f.name, PromLabelValue(channel),
                         counts.*(f.field));
  }
  return out;
}

}  // namespace signpost::delivery
