#include "experiments/bandit.h"

#include <fmt/format.h>

#include <cmath>

#include "experiments/experiment_sampling.h"

namespace signpost::experiments {
namespace {

nlohmann::json ArmJson(const ArmCounts& a) {
  return {{"sent", a.sent}, {"converted", a.converted}};
}

Result<ArmCounts> ArmFromJson(const nlohmann::json& json, const std::string& field) {
  if (!json.is_object()) {
    return Status::InvalidArgument(
        fmt::format("{}: expected an object {{sent, converted}}", field));
  }
  ArmCounts arm;
  for (auto [name, out] : {std::pair{"sent", &arm.sent}, std::pair{"converted", &arm.converted}}) {
    auto it = json.find(name);
    if (it == json.end() || !it->is_number_unsigned()) {
      return Status::InvalidArgument(
          fmt::format("{}.{}: expected a whole number >= 0", field, name));
    }
    *out = it->get<uint64_t>();
  }
  if (arm.converted > arm.sent) {
    return Status::InvalidArgument(
        fmt::format("{}.converted: {} is more than sent ({})", field, arm.converted, arm.sent));
  }
  return arm;
}

}  // namespace

ChannelBandit::ChannelBandit(BanditOptions options) : options_(options) {}

Result<BanditChoice> ChannelBandit::Choose(const std::vector<std::string>& available,
                                           std::string_view default_channel, std::mt19937_64& rng,
                                           std::string_view segment) const {
  if (available.empty()) {
    return Status::InvalidArgument(
        "channels: the profile has no channel with consent and an address; nothing to choose");
  }
  bool default_available = false;
  for (const std::string& c : available) default_available |= c == default_channel;
  if (default_available && UniformUnit(rng) < options_.control_share) {
    return BanditChoice{std::string(default_channel), true};
  }
  const Segment* counts = nullptr;
  if (auto it = segments_.find(segment); it != segments_.end()) counts = &it->second;
  size_t best = 0;
  double best_draw = -1;
  for (size_t i = 0; i < available.size(); ++i) {
    ArmCounts arm;
    if (counts) {
      if (auto it = counts->channels.find(available[i]); it != counts->channels.end()) {
        arm = it->second;
      }
    }
    const double draw = BetaDraw(1.0 + static_cast<double>(arm.converted),
                                 1.0 + static_cast<double>(arm.sent - arm.converted), rng);
    if (draw > best_draw) best = i, best_draw = draw;
  }
  return BanditChoice{available[best], false};
}

void ChannelBandit::Observe(const BanditChoice& choice, bool converted, std::string_view segment) {
  RecordSend(choice, segment);
  if (converted) RecordConversion(choice.channel, choice.is_control, segment);
}

void ChannelBandit::RecordSend(const BanditChoice& choice, std::string_view segment) {
  auto it = segments_.find(segment);
  if (it == segments_.end()) it = segments_.emplace(std::string(segment), Segment{}).first;
  Segment& s = it->second;
  auto channel = s.channels.find(choice.channel);
  if (channel == s.channels.end()) channel = s.channels.emplace(choice.channel, ArmCounts{}).first;
  ++channel->second.sent;
  ++(choice.is_control ? s.control : s.optimized).sent;
}

void ChannelBandit::RecordConversion(std::string_view channel, bool is_control,
                                     std::string_view segment) {
  auto it = segments_.find(segment);
  if (it == segments_.end()) return;
  Segment& s = it->second;
  auto arm = s.channels.find(channel);
  ArmCounts& group = is_control ? s.control : s.optimized;
  if (arm == s.channels.end() || arm->second.converted >= arm->second.sent ||
      group.converted >= group.sent) {
    return;
  }
  ++arm->second.converted;
  ++group.converted;
}

BanditReport ChannelBandit::Report(std::string_view segment, double level) const {
  BanditReport report;
  auto it = segments_.find(segment);
  if (it == segments_.end()) return report;
  const Segment& s = it->second;
  for (const auto& [name, arm] : s.channels) {
    const double rate =
        arm.sent == 0 ? 0.0 : static_cast<double>(arm.converted) / static_cast<double>(arm.sent);
    report.channels.push_back({name, arm, rate, stats::Wilson(arm.converted, arm.sent, level)});
  }
  report.control = s.control;
  report.optimized = s.optimized;
  // Counts are kept consistent by Observe and FromJson, so the lift cannot fail.
  auto lift = HoldoutLift({s.optimized.sent, s.optimized.converted},
                          {s.control.sent, s.control.converted}, level);
  if (lift.ok()) report.lift = *lift;
  return report;
}

nlohmann::json ChannelBandit::ToJson() const {
  nlohmann::json segments = nlohmann::json::object();
  for (const auto& [name, s] : segments_) {
    nlohmann::json channels = nlohmann::json::object();
    for (const auto& [channel, arm] : s.channels) channels[channel] = ArmJson(arm);
    segments[name] = {{"channels", std::move(channels)},
                      {"control", ArmJson(s.control)},
                      {"optimized", ArmJson(s.optimized)}};
  }
  return {{"control_share", options_.control_share}, {"segments", std::move(segments)}};
}

Result<ChannelBandit> ChannelBandit::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::InvalidArgument("bandit state: expected a JSON object");
  BanditOptions options;
  auto share = json.find("control_share");
  if (share == json.end() || !share->is_number() || !(share->get<double>() >= 0) ||
      !(share->get<double>() <= 1)) {
    return Status::InvalidArgument("control_share: expected a number from 0 to 1, e.g. 0.1");
  }
  options.control_share = share->get<double>();
  ChannelBandit bandit(options);
  auto segments = json.find("segments");
  if (segments == json.end() || !segments->is_object()) {
    return Status::InvalidArgument("segments: expected an object of segment name to counts");
  }
  for (const auto& [name, value] : segments->items()) {
    const std::string field = "segments." + name;
    if (!value.is_object() || !value.contains("channels") || !value["channels"].is_object()) {
      return Status::InvalidArgument(field + ".channels: expected an object of channel to counts");
    }
    Segment s;
    for (const auto& [channel, arm] : value["channels"].items()) {
      SP_ASSIGN_OR_RETURN(s.channels[channel], ArmFromJson(arm, field + ".channels." + channel));
    }
    SP_ASSIGN_OR_RETURN(s.control,
                        ArmFromJson(value.value("control", nlohmann::json()), field + ".control"));
    SP_ASSIGN_OR_RETURN(
        s.optimized, ArmFromJson(value.value("optimized", nlohmann::json()), field + ".optimized"));
    bandit.segments_.emplace(name, std::move(s));
  }
  return bandit;
}

}  // namespace signpost::experiments
