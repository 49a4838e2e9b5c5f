// Channel optimization (`channel: auto`): Thompson sampling over goal conversions per channel, with
// Beta(1 + converted, 1 + sent - converted) posteriors, optionally kept per segment, and a fixed
// share of traffic sent through the default channel as a control so the gain of optimizing can be
// measured. The state is plain counts, serializable to JSON for the runtime to persist.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/experiment_lift.h"
#include "experiments/stats.h"
#include "signpost/status.h"

namespace signpost::experiments {

struct BanditOptions {
  double control_share = 0.10;  // share of choices sent through the default channel as control
};

// Profiles sent through a channel (or a group) and how many of them reached the goal
// (signpost/reports.h).
using ArmCounts = ::signpost::ArmCounts;

struct BanditChoice {
  std::string channel;
  bool is_control = false;  // sent through the default channel as part of the control group
};

struct ChannelRate {
  std::string channel;
  ArmCounts counts;
  double rate = 0;           // converted / sent (0 when nothing was sent)
  stats::Interval interval;  // Wilson
};

struct BanditReport {
  std::vector<ChannelRate> channels;  // by channel name
  ArmCounts control;                  // outcomes of the control choices
  ArmCounts optimized;                // outcomes of the Thompson choices
  Lift lift;                          // optimized (treated) over control (holdout)
};

// Not thread-safe: Observe and FromJson need exclusive access; const methods may run together.
class ChannelBandit {
 public:
  explicit ChannelBandit(BanditOptions options = {});

  // A channel for one profile among `available` (the channels it has consent and an address for).
  // With probability control_share — and only when `default_channel` is available — the default
  // channel as control; otherwise the channel with the highest draw from its posterior in
  // `segment` ("" is the whole audience). kInvalidArgument when `available` is empty. Draws come
  // only from `rng`, so a seeded generator replays the same choices.
  Result<BanditChoice> Choose(const std::vector<std::string>& available,
                              std::string_view default_channel, std::mt19937_64& rng,
                              std::string_view segment = {}) const;

  // Records the outcome of one earlier choice: whether that profile reached the goal (call once
  // per choice, when the goal is reached or its window has closed). Both control and optimized
  // outcomes feed the channel's posterior; they are also counted apart for the lift. The same as
  // RecordSend, then RecordConversion when `converted`.
  void Observe(const BanditChoice& choice, bool converted, std::string_view segment = {});

  // The two halves of Observe, for a caller that learns a send at once and its conversion later
  // (the engine derives both from stored events). RecordSend counts one send of `choice` in
  // `segment`, not converted (yet). RecordConversion turns one earlier send of that channel and
  // group into a converted one; a conversion without a matching unconverted send is ignored, so
  // converted never exceeds sent. The caller sees to it that each send and each conversion is
  // recorded once.
  void RecordSend(const BanditChoice& choice, std::string_view segment = {});
  void RecordConversion(std::string_view channel, bool is_control, std::string_view segment = {});

  // Rates per channel and the lift of the optimized choices over the control in `segment`, at
  // confidence `level`. An unknown segment gives an empty report.
  BanditReport Report(std::string_view segment = {}, double level = 0.95) const;

  // {"control_share": 0.1, "segments": {"<segment>": {"channels": {"email": {"sent": 10,
  // "converted": 2}}, "control": {...}, "optimized": {...}}}}
  nlohmann::json ToJson() const;
  // The inverse of ToJson. kInvalidArgument naming the field (e.g.
  // `segments.vip.channels.email.converted`) for a missing or malformed value.
  static Result<ChannelBandit> FromJson(const nlohmann::json& json);

  const BanditOptions& options() const { return options_; }

 private:
  struct Segment {
    std::map<std::string, ArmCounts, std::less<>> channels;
    ArmCounts control, optimized;
  };
  BanditOptions options_;
  std::map<std::string, Segment, std::less<>> segments_;
};

}  // namespace signpost::experiments
