// Channel optimization: the per-(journey, step) bandits of `channel: auto` steps, derived from
// stored `Message Sent` (auto: true) and `Goal Attained` events (channel_bandits.h), and the
// ChannelService that keeps the live ones (engine_channels.h).
#include "engine/engine_channels.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>

#include "base/system_events.h"

namespace signpost {

using nlohmann::json;
namespace se = system_events;

std::string ChannelBandits::StepKey(const JourneyId& journey, std::string_view step) {
  std::string key(journey.value());
  key.push_back('\0');
  key.append(step);
  return key;
}

void ChannelBandits::Convert(AutoSend& s) {
  if (s.converted) return;
  s.converted = true;
  bandits_[StepKey(s.journey, s.step)].RecordConversion(s.channel, s.control, s.segment.value());
}

void ChannelBandits::RecordSend(const std::string& key, AutoSend send) {
  auto [it, added] = sends_.emplace(key, std::move(send));
  if (!added) return;
  AutoSend& s = it->second;
  s.converted = false;
  const std::string step_key = StepKey(s.journey, s.step);
  bandits_[step_key].RecordSend({s.channel, s.control}, s.segment.value());
  step_sends_[step_key].push_back(key);
  auto profile = std::make_pair(s.journey, s.profile);
  by_profile_[profile].push_back(key);
  if (auto goal = goals_.find(profile); goal != goals_.end() && s.at <= goal->second) Convert(s);
}

void ChannelBandits::RecordGoal(const JourneyId& journey, uint64_t profile, TimeMs at) {
  auto id = std::make_pair(journey, profile);
  auto [goal, added] = goals_.emplace(id, at);
  if (!added && goal->second <= at) return;  // an earlier hit converted everything this one would
  goal->second = at;
  auto keys = by_profile_.find(id);
  if (keys == by_profile_.end()) return;
  for (const std::string& key : keys->second) {
    AutoSend& s = sends_.at(key);
    if (s.at <= at) Convert(s);
  }
}

void ChannelBandits::Feed(const Event& e, uint64_t profile) {
  if (e.type != EventType::kTrack) return;
  const bool sent = e.event == se::kMessageSent;
  if (!sent && e.event != se::kGoalAttained) return;
  json p = json::parse(e.properties, nullptr, false);
  if (!p.is_object()) return;
  const JourneyId journey(p.value(std::string(se::kPropJourney), ""));
  if (journey.empty()) return;
  if (!sent) {
    RecordGoal(journey, profile, e.timestamp);
    return;
  }
  if (!p.value("auto", false)) return;
  AutoSend s;
  s.journey = journey;
  s.step = p.value("step", "");
  s.channel = p.value("channel", "");
  s.segment = SegmentId(p.value("segment", ""));
  s.control = p.value("control", false);
  s.at = e.timestamp;
  s.profile = profile;
  const std::string key = p.value("key", "");
  if (key.empty() || s.step.empty() || s.channel.empty()) return;
  RecordSend(key, std::move(s));
}

const AutoSend* ChannelBandits::SendOf(const std::string& key) const {
  auto it = sends_.find(key);
  return it == sends_.end() ? nullptr : &it->second;
}

journeys::ChannelChoice ChannelBandits::Choose(const journeys::ChannelQuestion& q) const {
  static const experiments::ChannelBandit kFresh;
  auto it = bandits_.find(StepKey(q.journey, q.step));
  const experiments::ChannelBandit& bandit = it == bandits_.end() ? kFresh : it->second;
  std::mt19937_64 rng(q.seed);
  auto choice = bandit.Choose(q.available, q.default_channel, rng, q.segment.value());
  if (!choice.ok()) return {q.available.empty() ? q.default_channel : q.available.front(), false};
  return {choice->channel, choice->is_control};
}

experiments::BanditReport ChannelBandits::Report(const JourneyId& journey, std::string_view step,
                                                 const SegmentId& segment) const {
  experiments::ChannelBandit all;
  auto keys = step_sends_.find(StepKey(journey, step));
  if (keys != step_sends_.end()) {
    for (const std::string& key : keys->second) {
      const AutoSend& s = sends_.at(key);
      if (!segment.empty() && s.segment != segment) continue;
      all.Observe({s.channel, s.control}, s.converted);
    }
  }
  return all.Report();
}

std::vector<SegmentId> ChannelBandits::Segments(const JourneyId& journey,
                                                std::string_view step) const {
  std::set<SegmentId> out;
  auto keys = step_sends_.find(StepKey(journey, step));
  if (keys != step_sends_.end()) {
    for (const std::string& key : keys->second) {
      const SegmentId& segment = sends_.at(key).segment;
      if (!segment.empty()) out.insert(segment);
    }
  }
  return {out.begin(), out.end()};
}

journeys::ChannelChoice ChannelBandits::ChooseAndCount(const journeys::ChannelQuestion& q,
                                                       const std::string& key) {
  journeys::ChannelChoice choice = Choose(q);
  RecordSend(key, {q.journey, q.step, choice.channel, q.segment, choice.control, q.at,
                   q.profile.value(), false});
  return choice;
}

namespace engine {

ChannelService::ChannelService(const store::Store& store, const identity::ProfileStore& profiles)
    : store_(store), profiles_(profiles) {}

bool ChannelService::HasAutoStep(const journeys::JourneyDefinition& def) {
  return std::any_of(def.steps.begin(), def.steps.end(), [](const journeys::Step& s) {
    return s.kind == journeys::StepKind::kMessage && s.channel == journeys::kAutoChannel;
  });
}

Status ChannelService::FeedStored(const std::vector<ProfileId>& profiles, TimeMs before,
                                  ChannelBandits* out) const {
  for (ProfileId p : profiles) {
    SP_ASSIGN_OR_RETURN(std::vector<Event> events, store_.EventsOf(profiles_.IdentitiesOf(p), 0));
    for (const Event& e : events) {
      if (e.timestamp < before) out->Feed(e, p.value());
    }
  }
  return Status::Ok();
}

Result<ChannelBandits> ChannelService::Stored(const std::vector<ProfileId>& profiles,
                                              TimeMs before) const {
  ChannelBandits out;
  SP_RETURN_IF_ERROR(FeedStored(profiles, before, &out));
  return out;
}

Status ChannelService::EnsureLoaded(const JourneyService& journeys) const {
  if (loaded_) return Status::Ok();
  std::set<ProfileId> profiles;
  for (const JourneyId& id : journeys.catalog().JourneyIds()) {
    SP_ASSIGN_OR_RETURN(auto history,
                        store_.definitions().History(store::DefinitionKind::kJourney, id.value()));
    bool automatic = false;
    for (const auto& v : history) {
      auto def = journeys.catalog().Definition(id, v.version);
      automatic = automatic || (def && HasAutoStep(*def));
    }
    if (!automatic) continue;
    for (ProfileId p : journeys.catalog().ProfilesIn(id)) profiles.insert(p);
  }
  // Into the live bandits: a choice counted before a failed load is kept (each send once anyway).
  SP_RETURN_IF_ERROR(FeedStored({profiles.begin(), profiles.end()}, INT64_MAX, &live_));
  loaded_ = true;
  return Status::Ok();
}

journeys::ChannelChoice ChannelService::ChooseLive(const JourneyService& journeys,
                                                   const journeys::ChannelQuestion& q) {
  MutexLock lock(mu_);
  if (Status s = EnsureLoaded(journeys); !s.ok())
    spdlog::warn("journeys: channel counts not loaded ({}); choosing on what is known",
                 s.ToString());
  if (const AutoSend* sent = live_.SendOf(q.key)) return {sent->channel, sent->control};
  return live_.ChooseAndCount(q, q.key);
}

void ChannelService::RecordGoal(const JourneyId& journey, uint64_t profile, TimeMs at) {
  MutexLock lock(mu_);
  if (loaded_) live_.RecordGoal(journey, profile, at);
}

Result<experiments::BanditReport> ChannelService::LiveReport(const JourneyService& journeys,
                                                             const JourneyId& journey,
                                                             std::string_view step) const {
  MutexLock journeys_lock(journeys.mu());
  MutexLock lock(mu_);
  SP_RETURN_IF_ERROR(EnsureLoaded(journeys));
  return live_.Report(journey, step);
}

PersonForgotten ChannelService::ForgetPerson(const Person& /*person*/) {
  MutexLock lock(mu_);
  PersonForgotten out;
  out.bandits_reloaded = loaded_;
  live_ = ChannelBandits();
  loaded_ = false;
  return out;
}

}  // namespace engine
}  // namespace signpost
