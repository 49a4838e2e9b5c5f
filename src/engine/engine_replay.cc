// ReplayService (engine_journeys.h). Back-tests journeys on stored events: a fresh runtime on a
// virtual clock is fed the events of [from, to] in (timestamp, seq) order, timers firing on the
// way, through the same code as the live engine. Nothing is written and nothing is sent: the
// messages it would have sent and the system events it would have recorded are reported, and the
// goal reports are computed from them and the stored goal hits.
//
// A programme (several journeys, or all) runs in one runtime, so what the live engine does between
// journeys happens between them too: the frequency cap counts every journey's sends (the runtime
// keeps them per profile), an `update` of one journey is handled by the others as live handles the
// identify it records (its traits are what later reads see: ReplayTraits), and the goals are
// attributed together (the same-goal rule of docs/CONTRACT.md §4). A single journey's replay is a
// programme of one.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

#include "base/system_events.h"
#include "base/time.h"
#include "engine/engine_channels.h"
#include "engine/engine_journeys.h"
#include "experiments/stats.h"
#include "goals/goal_definition.h"
#include "identity/traits.h"

namespace signpost::engine {

namespace se = system_events;

namespace {

// The seqs the replay gives its own updates' identify events: after every stored one, so at equal
// timestamps they come after the event that caused them, as live commits them after it.
constexpr uint64_t kReplaySeqBase = uint64_t{1} << 62;

// An identify a journey's `update` step recorded (its message id is a system one; a one-click
// unsubscribe's, also a system identify, names `/unsubscribed/` and is the person's own act).
bool IsJourneyUpdate(const Event& e) {
  return e.type == EventType::kIdentify && e.message_id.rfind(se::kSystemMessageIdPrefix, 0) == 0 &&
         e.message_id.find("/unsubscribed/") == std::string::npos;
}

}  // namespace

Result<ReplayReport> ReplayService::Replay(const ReplayRequest& request) const {
  if (request.to <= request.from) return Status::InvalidArgument("to: must be after from");
  SP_ASSIGN_OR_RETURN(ProgrammeReplayReport p,
                      Run({{JourneyId(request.journey), 0}}, request.from, request.to));
  return std::move(p.journeys.front());
}

Result<ProgrammeReplayReport> ReplayService::ReplayProgramme(
    const ProgrammeReplayRequest& request) const {
  if (request.to <= request.from) return Status::InvalidArgument("to: must be after from");
  std::vector<Member> members;
  auto add = [&members](std::string_view id) {
    for (const Member& m : members)
      if (m.id == id) return;
    members.push_back({JourneyId(id), 0});
  };
  for (const std::string& id : request.journeys) add(id);
  if (request.all) {
    SP_ASSIGN_OR_RETURN(auto records, r_.store.definitions().List(store::DefinitionKind::kJourney));
    for (const auto& record : records) add(record.id);
  }
  if (members.empty())
    return Status::InvalidArgument(
        "journeys: none to replay; name them (journeys: [a, b]) or replay them all (all: true)");
  return Run(members, request.from, request.to);
}

Result<ReplayComparison> ReplayService::CompareReplays(
    const ReplayComparisonRequest& request) const {
  if (request.to <= request.from) return Status::InvalidArgument("to: must be after from");
  if (request.version_a == 0 || request.version_b == 0)
    return Status::InvalidArgument(
        "versions: give the two stored versions to compare, e.g. [1, 2]");
  const JourneyId id(request.journey);
  std::vector<Member> others;
  auto add = [&others, &id](std::string_view other) {
    if (other == id.value()) return;
    for (const Member& m : others)
      if (m.id == other) return;
    others.push_back({JourneyId(other), 0});
  };
  for (const std::string& other : request.with) add(other);
  if (request.with_all) {
    SP_ASSIGN_OR_RETURN(auto records, r_.store.definitions().List(store::DefinitionKind::kJourney));
    for (const auto& record : records) add(record.id);
  }
  ReplayComparison out;
  out.journey = id;
  out.from = request.from;
  out.to = request.to;
  for (auto [version, report] :
       {std::pair{request.version_a, &out.a}, std::pair{request.version_b, &out.b}}) {
    std::vector<Member> members = {{id, version}};
    members.insert(members.end(), others.begin(), others.end());
    SP_ASSIGN_OR_RETURN(ProgrammeReplayReport p, Run(members, request.from, request.to));
    *report = std::move(p.journeys.front());
  }
  if (out.a.goal && out.b.goal) {
    const GoalReport &a = *out.a.goal, &b = *out.b.goal;
    out.rate_difference = b.rate - a.rate;
    out.difference_interval =
        experiments::stats::NewcombeDifference(b.attained, b.entered, a.attained, a.entered);
  }
  return out;
}

Result<ProgrammeReplayReport> ReplayService::Run(const std::vector<Member>& members, TimeMs from,
                                                 TimeMs to) const {
  struct Loaded {
    JourneyId id;
    uint64_t version = 0;
    std::shared_ptr<const journeys::JourneyDefinition> def;
  };
  std::vector<Loaded> loaded;
  std::unordered_set<std::string> ids;
  for (const Member& m : members) {
    auto record =
        r_.store.definitions().Get(store::DefinitionKind::kJourney, m.id.value(), m.version);
    if (!record.ok()) {
      return Status::NotFound(
          m.version == 0
              ? fmt::format("journey '{}' does not exist; apply it first", m.id)
              : fmt::format("journey '{}' has no version {}; `signpost journeys {}` lists them",
                            m.id, m.version, m.id));
    }
    SP_ASSIGN_OR_RETURN(journeys::JourneyDefinition parsed,
                        journeys::ParseJourneyDefinition(record->body, {}));
    loaded.push_back(
        {m.id, record->version, std::make_shared<journeys::JourneyDefinition>(std::move(parsed))});
    ids.insert(m.id.value());
  }

  // `channel: auto` steps choose on the channel counts as of `from` (derived from the stored sends
  // and goal credits before it) and count the replay's own sends as they go; the replay records no
  // goal credits, so nothing converts during the window.
  ChannelBandits channels;
  std::vector<ProfileId> auto_profiles;
  bool any_auto = false;
  for (const Loaded& l : loaded) {
    if (!ChannelService::HasAutoStep(*l.def)) continue;
    any_auto = true;
    std::vector<ProfileId> in = journeys_.ProfilesIn(l.id);
    auto_profiles.insert(auto_profiles.end(), in.begin(), in.end());
  }
  if (any_auto) {
    std::sort(auto_profiles.begin(), auto_profiles.end());
    auto_profiles.erase(std::unique(auto_profiles.begin(), auto_profiles.end()),
                        auto_profiles.end());
    SP_ASSIGN_OR_RETURN(channels, r_.channels.Stored(auto_profiles, from));
  }
  ReplayTraits traits;
  auto env = std::make_unique<JourneyEnvironment>(r_, journeys_, &channels, &traits);
  journeys::RuntimeOptions options;
  options.frequency_cap_per_day = journeys_.FrequencyCap();
  journeys::Runtime runtime(env.get(), options);
  for (const Loaded& l : loaded) runtime.AddVersion(l.def, l.version);
  journeys::Effects fx;
  for (const Loaded& l : loaded) SP_RETURN_IF_ERROR(runtime.Start(l.id, from, &fx));

  // The stored events of the window in event time, without the journeys' own events (system
  // events, and the identify of an update of a journey replayed here: its `Profile Updated`, the
  // next event, names the journey; the replay makes its own).
  std::vector<journeys::InputEvent> input;
  uint64_t scanned = 0;
  std::optional<Event> update;  // an update's identify, until the event after it is read
  auto use = [&](const Event& e) {
    if (e.timestamp < from || e.timestamp > to) return;
    if (e.type == EventType::kTrack && se::IsReserved(e.event)) return;
    if (!runtime.Interested(e.type, e.type == EventType::kTrack ? e.event : "")) return;
    input.push_back(InputOf(e, r_.profiles.ProfileOf(e.PrimaryIdentity())));
  };
  SP_RETURN_IF_ERROR(r_.store.ScanEvents(0, [&](const Event& e) {
    if (e.timestamp >= from && e.timestamp <= to) ++scanned;
    if (update) {
      bool replayed = false;
      if (e.type == EventType::kTrack && e.event == se::kProfileUpdated &&
          e.seq == update->seq + 1) {
        auto props = nlohmann::json::parse(e.properties, nullptr, false);
        replayed = props.is_object() && ids.count(props.value("journey", "")) != 0;
      }
      if (replayed && update->timestamp >= from) {
        traits.dropped_seqs.insert(update->seq);
      } else {
        use(*update);
      }
      update.reset();
    }
    if (IsJourneyUpdate(e)) {
      update = e;
      return true;
    }
    use(e);
    return true;
  }));
  if (update) use(*update);
  std::sort(input.begin(), input.end(),
            [](const journeys::InputEvent& a, const journeys::InputEvent& b) {
              return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
            });

  // The replay's own updates: their traits are what later reads see, and the runtime handles their
  // identify as live handles the recorded one.
  size_t fed = 0;
  uint64_t next_seq = kReplaySeqBase;
  // Returns whether it handed the runtime any update (which may have armed timers).
  auto feed_back = [&] {
    bool handed = false;
    while (fed < fx.events.size()) {
      Event e = fx.events[fed++];
      if (e.type != EventType::kIdentify) continue;
      e.seq = next_seq++;
      const ProfileId p = r_.profiles.ProfileOf(e.PrimaryIdentity());
      for (auto& [name, value] : identity::FlattenTraits(e.traits))
        traits.added[p.value()].push_back({name, value, e.timestamp, e.seq});
      if (!runtime.Interested(EventType::kIdentify, "")) continue;
      handed = true;
      JourneyId journey;
      if (Status s = runtime.TryProcess(InputOf(e, p), &fx, &journey); !s.ok())
        spdlog::warn("replay: an update of {} left out: {}", journey, s.ToString());
    }
    return handed;
  };
  // Fires what is due up to `limit`, and again while the updates it hands back arm more.
  auto advance = [&](TimeMs limit) {
    do {
      runtime.AdvanceTo(limit, &fx);
    } while (feed_back());
  };
  for (const auto& e : input) {
    advance(e.timestamp - 1);
    // An event the runtime cannot handle is left out, as the live journeys set it aside.
    JourneyId journey;
    if (Status s = runtime.TryProcess(e, &fx, &journey); !s.ok())
      spdlog::warn("replay of {}: event seq {} left out: {}", journey, e.seq, s.ToString());
    feed_back();
  }
  advance(to);

  ProgrammeReplayReport out;
  out.from = from;
  out.to = to;
  out.events_read = scanned;
  out.events_used = input.size();
  out.would_send = fx.messages.size();

  // The goals of the programme, attributed together: the same-goal rule decides between them.
  std::vector<goals::JourneyGoal> goal_list;
  for (const Loaded& l : loaded) {
    if (l.def->goal.is_null()) continue;
    SP_ASSIGN_OR_RETURN(goals::GoalDefinition goal, goals::ParseGoalJson(l.def->goal, "goal"));
    goal_list.push_back({l.id, goal, l.def->listening_window});
  }
  std::map<std::string, std::vector<Event>> by_identity;
  for (const Event& e : fx.events) {
    by_identity[e.user_id.empty() ? "anon:" + e.anonymous_id : "user:" + e.user_id].push_back(e);
  }

  for (const Loaded& l : loaded) {
    const journeys::JourneyStatus& st = *runtime.StatusOf(l.id);
    ReplayReport r;
    r.journey = l.id;
    r.version = l.version;
    r.from = from;
    r.to = to;
    r.events_read = scanned;
    r.events_used = input.size();
    r.steps = StepViews(*l.def, st);
    r.totals = TotalsOf(st);
    for (const auto& msg : fx.messages) {
      if (msg.journey != l.id) continue;
      ++r.would_send;
      ++r.by_channel[msg.channel];
      ++r.by_step[msg.step];
      if (r.sample.size() < 20)
        r.sample.push_back(
            {msg.key, msg.to, msg.channel, msg.step, msg.template_id, msg.created_at});
    }
    auto goal = std::find_if(goal_list.begin(), goal_list.end(),
                             [&l](const goals::JourneyGoal& g) { return g.journey == l.id; });
    if (goal != goal_list.end()) {
      goals::GoalReportBuilder builder(*goal, l.version);
      // Hits count until the end of the window plus the listening window after it.
      const TimeMs until = to + l.def->listening_window;
      for (ProfileId p : runtime.ProfilesIn(l.id)) {
        std::string identity = r_.goals.PrimaryIdentityOf(p);
        auto& extra = by_identity[identity];
        SP_ASSIGN_OR_RETURN(ProfileAttribution a,
                            r_.goals.AttributeStored(p, goal_list, &extra, false, until));
        const goals::Credit* credit = nullptr;
        for (const goals::Credit& c : a.credits) {
          if (c.journey == l.id) credit = &c;
        }
        builder.AddProfile(identity, a.entries, credit);
      }
      r.goal = builder.Report();
    }
    out.journeys.push_back(std::move(r));
  }
  return out;
}

}  // namespace signpost::engine
