// Engine: replay. Back-tests a journey on stored events: a fresh runtime on a virtual clock is fed
// the events of [from, to] in (timestamp, seq) order, timers firing on the way, through the same
// code as the live engine. Nothing is written and nothing is sent: the messages it would have sent
// and the system events it would have recorded are reported, and the goal report is computed from
// them and the stored goal hits.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "base/system_events.h"
#include "base/time.h"
#include "engine/engine_journeys.h"
#include "goals/goal_definition.h"
#include "wire/wire.h"

namespace signpost {

using nlohmann::json;
namespace se = system_events;

Result<json> Engine::Replay(const ReplayRequest& request) const {
  const Impl& m = *impl_;
  const JourneyId id(request.journey);
  const TimeMs from = request.from, to = request.to;
  if (to <= from) return Status::InvalidArgument("to: must be after from");
  auto record = m.store().definitions().Get(store::DefinitionKind::kJourney, id.value());
  if (!record.ok())
    return Status::NotFound(fmt::format("journey '{}' does not exist; apply it first", id));
  SP_ASSIGN_OR_RETURN(journeys::JourneyDefinition parsed,
                      journeys::ParseJourneyDefinition(record->body, {}));
  auto def = std::make_shared<journeys::JourneyDefinition>(std::move(parsed));

  // `channel: auto` steps choose on the channel counts as of `from` (derived from the stored sends
  // and goal credits before it) and count the replay's own sends as they go; the replay records no
  // goal credits, so nothing converts during the window.
  ChannelBandits channels;
  if (engine::ChannelService::HasAutoStep(*def)) {
    SP_ASSIGN_OR_RETURN(channels, m.channels->Stored(m.journeys->ProfilesIn(id), from));
  }
  auto env = MakeEnvironment(m, &channels);
  journeys::RuntimeOptions options;
  options.frequency_cap_per_day = FrequencyCap(m.store());
  journeys::Runtime runtime(env.get(), options);
  runtime.AddVersion(def, record->version);
  journeys::Effects fx;
  SP_RETURN_IF_ERROR(runtime.Start(id, from, &fx));

  // The stored events of the window, without the live journeys' own events, in event time.
  std::vector<journeys::InputEvent> input;
  uint64_t scanned = 0;
  SP_RETURN_IF_ERROR(m.store().ScanEvents(0, [&](const Event& e) {
    if (e.timestamp < from || e.timestamp > to) return true;
    ++scanned;
    if (e.type == EventType::kTrack && se::IsReserved(e.event)) return true;
    if (!runtime.Interested(e.type, e.type == EventType::kTrack ? e.event : "")) return true;
    input.push_back(InputOf(e, m.profiles->ProfileOf(e.PrimaryIdentity())));
    return true;
  }));
  std::sort(input.begin(), input.end(),
            [](const journeys::InputEvent& a, const journeys::InputEvent& b) {
              return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
            });
  for (const auto& e : input) {
    runtime.AdvanceTo(e.timestamp - 1, &fx);
    // An event the runtime cannot handle is left out, as the live journeys set it aside.
    JourneyId journey;
    if (Status s = runtime.TryProcess(e, &fx, &journey); !s.ok())
      spdlog::warn("replay of {}: event seq {} left out: {}", id, e.seq, s.ToString());
  }
  runtime.AdvanceTo(to, &fx);

  const journeys::JourneyStatus& st = *runtime.StatusOf(id);
  json out = {{"journey", id},
              {"version", record->version},
              {"from", FormatIso8601(from)},
              {"to", FormatIso8601(to)},
              {"events_read", scanned},
              {"events_used", input.size()},
              {"steps", StepAnalyticsJson(*def, st)},
              {"totals", JourneyTotals(st)}};
  std::map<std::string, uint64_t> by_channel, by_step;
  json sample = json::array();
  for (const auto& msg : fx.messages) {
    ++by_channel[msg.channel];
    ++by_step[msg.step];
    if (sample.size() < 20) {
      sample.push_back({{"key", msg.key},
                        {"to", msg.to},
                        {"channel", msg.channel},
                        {"step", msg.step},
                        {"template", msg.template_id},
                        {"at", FormatIso8601(msg.created_at)}});
    }
  }
  out["messages"] = {{"would_send", fx.messages.size()},
                     {"by_channel", by_channel},
                     {"by_step", by_step},
                     {"sample", sample}};
  if (!def->goal.is_null()) {
    SP_ASSIGN_OR_RETURN(goals::GoalDefinition goal, goals::ParseGoalJson(def->goal, "goal"));
    goals::JourneyGoal jg{id, goal, def->listening_window};
    std::map<std::string, std::vector<Event>> by_identity;
    for (const Event& e : fx.events) {
      by_identity[e.user_id.empty() ? "anon:" + e.anonymous_id : "user:" + e.user_id].push_back(e);
    }
    goals::GoalReportBuilder builder(jg, record->version);
    // Hits count until the end of the window plus the listening window after it.
    const TimeMs until = to + def->listening_window;
    for (ProfileId p : runtime.ProfilesIn(id)) {
      std::string identity = m.goals->PrimaryIdentityOf(p);
      auto& extra = by_identity[identity];
      SP_ASSIGN_OR_RETURN(engine::ProfileAttribution a,
                          m.goals->AttributeStored(p, {jg}, &extra, false, until));
      builder.AddProfile(identity, a.entries, a.credits.empty() ? nullptr : &a.credits.front());
    }
    out["goal"] = wire::ToJson(builder.Report());
  }
  return out;
}

}  // namespace signpost
