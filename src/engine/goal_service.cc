// GoalService: journey goals. Live credits and the goal report, both computed by src/goals from
// each profile's events, so the live engine and replay count by the same rules.
#include "engine/goal_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "base/system_events.h"
#include "base/time.h"
#include "goals/goal_attained.h"

namespace signpost::engine {

using nlohmann::json;
namespace se = system_events;

GoalService::GoalService(const store::Store& store, const identity::ProfileStore& profiles,
                         EventService& events, const SegmentService& segments,
                         ChannelService& channels, const Clock& clock)
    : store_(store),
      profiles_(profiles),
      events_(events),
      segments_(segments),
      channels_(channels),
      clock_(clock) {}

std::string GoalService::PrimaryIdentityOf(ProfileId p) const {
  std::string identity;
  for (const auto& id : profiles_.IdentitiesOf(p)) {
    if (identity.empty() || (id.rfind("user:", 0) == 0 && identity.rfind("user:", 0) != 0))
      identity = id;
  }
  return identity.empty() ? fmt::format("anon:profile-{}", p.value()) : identity;
}

Result<ProfileAttribution> GoalService::AttributeStored(
    ProfileId profile, const std::vector<goals::JourneyGoal>& goal_list,
    const std::vector<Event>* extra, bool stored_system_events, TimeMs until) const {
  SP_ASSIGN_OR_RETURN(std::vector<Event> events,
                      store_.EventsOf(profiles_.IdentitiesOf(profile), 0));
  std::vector<goals::ProfileEvent> views;
  views.reserve(events.size() + (extra ? extra->size() : 0));
  auto add = [&views](const Event& e) {
    views.push_back({e.timestamp, e.seq, e.event, e.properties, e.message_id});
  };
  for (const Event& e : events) {
    if (e.type != EventType::kTrack || e.timestamp > until) continue;
    // In a replay the journeys' own events come from the replay, not from the live store.
    if (!stored_system_events && se::IsReserved(e.event)) continue;
    add(e);
  }
  if (extra) {
    for (const Event& e : *extra) add(e);
  }
  std::stable_sort(views.begin(), views.end(),
                   [](const goals::ProfileEvent& a, const goals::ProfileEvent& b) {
                     return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
                   });
  ProfileAttribution out;
  out.entries = goals::Entries(views);
  out.credits = goals::AttributeProfile(goal_list, views);
  return out;
}

namespace {

std::vector<goals::JourneyGoal> GoalList(const JourneyService& j) REQUIRES(j.mu()) {
  std::vector<goals::JourneyGoal> out;
  for (const auto& [id, g] : j.goals()) out.push_back(g);
  return out;
}

}  // namespace

Status GoalService::RecordCredits(const JourneyService& j,
                                  const std::unordered_set<uint64_t>& profiles) {
  if (profiles.empty() || j.goals().empty()) return Status::Ok();
  std::vector<goals::JourneyGoal> goal_list = GoalList(j);
  std::vector<Event> credits;
  std::vector<std::tuple<std::string, uint64_t, TimeMs>> goals;  // for the channel bandits
  for (uint64_t pid : profiles) {
    SP_ASSIGN_OR_RETURN(ProfileAttribution a,
                        AttributeStored(ProfileId(pid), goal_list, nullptr, true));
    if (a.credits.empty()) continue;
    std::string identity = PrimaryIdentityOf(ProfileId(pid));
    for (const goals::Credit& c : a.credits) {
      Event e;
      e.type = EventType::kTrack;
      e.event = std::string(se::kGoalAttained);
      if (identity.rfind("user:", 0) == 0) {
        e.user_id = identity.substr(5);
      } else {
        e.anonymous_id = identity.substr(5);
      }
      e.message_id = fmt::format("{}goal/{}/{}", se::kSystemMessageIdPrefix, c.journey, pid);
      e.timestamp = c.hit_at;
      e.received_at = clock_.NowMs();
      e.properties = goals::GoalAttainedProperties(c, j.goals().at(c.journey).goal.type).dump();
      credits.push_back(std::move(e));
      goals.emplace_back(c.journey.value(), pid, c.hit_at);
    }
  }
  if (credits.empty()) return Status::Ok();
  SP_RETURN_IF_ERROR(events_.RecordSystemEvents(std::move(credits)).status());
  // Recorded: the channel bandits count the conversions (once; unloaded, they read them later).
  for (const auto& [journey, pid, at] : goals) channels_.RecordGoal(JourneyId(journey), pid, at);
  return Status::Ok();
}

Result<goals::GoalReportBuilder> GoalService::BuildReport(const JourneyService& j,
                                                          std::string_view journey,
                                                          const GoalReportQuery& query) const {
  std::vector<ProfileId> entered;
  std::vector<goals::JourneyGoal> goal_list;
  goals::JourneyGoal goal;
  // The lifecycle from the partitions, before the shared lock (they come first in the lock order).
  const std::optional<journeys::JourneyStatus> status = j.StatusOf(JourneyId(journey));
  uint64_t version = status ? status->live_version : 0;
  {
    MutexLock lock(j.mu());
    auto it = j.goals().find(std::string(journey));
    if (it == j.goals().end()) {
      if (!j.catalog().Definition(JourneyId(journey), 0))
        return Status::NotFound(fmt::format("journey '{}' does not exist", journey));
      return Status::NotFound(fmt::format(
          "journey '{}' has no goal; add a `goal:` block (type, met_when, target) and apply it",
          journey));
    }
    goal = it->second;
    goal_list = GoalList(j);
    entered = j.catalog().ProfilesIn(JourneyId(journey));
  }
  goals::GoalReportOptions options;
  options.from = query.from;
  options.to = query.to;
  options.over_time = query.trend == TrendUnit::kWeek ? goals::GoalReportOptions::Bucket::kWeek
                                                      : goals::GoalReportOptions::Bucket::kDay;
  for (const SegmentId& s : query.segments) {
    if (!segments_.Exists(s))
      return Status::NotFound(fmt::format("segment: no segment named '{}'", s));
    options.segments.push_back(s);
  }
  goals::GoalReportBuilder builder(goal, version, options);
  const TimeMs now = clock_.NowMs();
  for (ProfileId p : entered) {
    SP_ASSIGN_OR_RETURN(ProfileAttribution a, AttributeStored(p, goal_list, nullptr, true));
    const goals::Credit* credit = nullptr;
    for (const auto& c : a.credits) {
      if (c.journey == journey) credit = &c;
    }
    auto in_segment = [this, p, now](const SegmentId& s) {
      auto r = segments_.InSegment(s, p, now);
      return r.ok() && *r;
    };
    builder.AddProfile(PrimaryIdentityOf(p), a.entries, credit, in_segment);
  }
  return builder;
}

Result<GoalReport> GoalService::Report(const JourneyService& journeys, std::string_view journey,
                                       const GoalReportQuery& query) const {
  SP_ASSIGN_OR_RETURN(goals::GoalReportBuilder b, BuildReport(journeys, journey, query));
  return b.Report();
}

Result<GoalPeople> GoalService::People(const JourneyService& journeys, std::string_view journey,
                                       const GoalReportQuery& query) const {
  SP_ASSIGN_OR_RETURN(goals::GoalReportBuilder b, BuildReport(journeys, journey, query));
  return GoalPeople{std::string(journey), b.People()};
}

}  // namespace signpost::engine
