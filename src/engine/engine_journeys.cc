// Engine: journeys. The environment the runtime reads profiles through (the services wired
// together), what a journey refers to, step analytics views, and the facade's journey methods.
// The runtime itself (its thread, durable state, lifecycle) is the JourneyService
// (journey_service.cc); replay is in engine_replay.cc, goals in engine_goals.cc.
#include "engine/engine_journeys.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/json_text.h"
#include "base/system_events.h"
#include "base/time.h"
#include "goals/goal_definition.h"
#include "identity/traits.h"
#include "journeys/journey_definition.h"
#include "store/db.h"

namespace signpost {

using nlohmann::json;
namespace se = system_events;

// ---- the environment: profiles as of a time
// ---------------------------------------------------------

namespace {

class EngineScope final : public journeys::ProfileScope {
 public:
  EngineScope(const Engine::Impl& m, ProfileId p)
      : m_(m), p_(p), identity_(m.goals->PrimaryIdentityOf(p)) {}

  const std::string& Identity() override { return identity_; }

  std::optional<std::string> TraitAt(std::string_view name, TimeMs at) override {
    Load();
    std::optional<std::string> value;
    for (const auto& c : view_.trait_history) {
      if (c.timestamp > at) break;
      if (c.name == name) value = c.value;
    }
    if (value && *value == "null") return std::nullopt;
    return value;
  }

  json TraitsAt(TimeMs at) override {
    Load();
    return identity::TraitsAsOf(view_.trait_history, at);
  }

  Result<bool> InSegment(const SegmentId& segment, TimeMs at) override {
    if (!facts_) facts_ = m_.segments->FactsOf(p_);
    return m_.segments->InSegment(segment, *facts_, at);
  }

  Result<bool> DidEvent(const rules::EventMatcher& matcher, TimeMs from, TimeMs to) override {
    if (!facts_) facts_ = m_.segments->FactsOf(p_);
    bool found = false;
    rules::JsonMatcher json_matcher;
    SP_RETURN_IF_ERROR(
        facts_->ForEachEvent(matcher.event, from, to, [&](TimeMs, std::string_view props) {
          found = json_matcher.Matches(matcher.where, {props});
          return !found;
        }));
    return found;
  }

  Result<int> LastCompletedStep(const FunnelId& funnel) override {
    return m_.funnels->LastStepOf(funnel, p_, m_.clock->NowMs());
  }

 private:
  void Load() {
    if (loaded_) return;
    loaded_ = true;
    auto h = m_.profiles->TraitHistory(p_);
    if (h.ok()) {
      view_.trait_history = std::move(*h);
    } else {
      spdlog::warn("journeys: the traits of profile {} are unreadable ({}); read as none",
                   p_.value(), h.status().ToString());
    }
  }

  const Engine::Impl& m_;
  ProfileId p_;
  std::string identity_;
  bool loaded_ = false;
  identity::ProfileView view_;
  std::unique_ptr<segments::ProfileFacts> facts_;
};

}  // namespace

class EngineEnvironment final : public journeys::Environment {
 public:
  explicit EngineEnvironment(const Engine::Impl& m, ChannelBandits* channels = nullptr)
      : m_(m), channels_(channels) {}
  std::unique_ptr<journeys::ProfileScope> Open(ProfileId p) override {
    return std::make_unique<EngineScope>(m_, p);
  }
  journeys::SegmentDependencies DependenciesOf(const SegmentId& segment) override {
    segments::Triggers t = m_.segments->TriggersOf(segment);
    return {t.events, t.traits};
  }
  // The decided winner of a split, asked again at most once a minute of journey time while the test
  // runs (deciding reads the journey's events); a decision is final and kept. The live runtime
  // calls this with the journeys mutex held; a replay's runtime does not, so it takes it here.
  std::optional<std::string> SplitWinner(const JourneyId& journey, std::string_view step,
                                         TimeMs at) NO_THREAD_SAFETY_ANALYSIS override {
    std::string key = journey.value() + "/" + std::string(step);
    auto it = winners_.find(key);
    if (it != winners_.end() && (it->second.second || at - it->second.first < 60'000))
      return it->second.second;
    std::optional<MutexLock> replay_lock;
    if (channels_ != nullptr) replay_lock.emplace(m_.journeys->mu());
    auto r = m_.experiments->SplitWinner(*m_.journeys, journey.value(), step);
    std::optional<std::string> w = r.ok() ? *r : std::nullopt;
    winners_[key] = {at, w};
    return w;
  }
  // Live: a send already recorded under this key (a re-processing after a crash) keeps its choice;
  // otherwise Thompson sampling on the step's bandit, the choice counted as a send at once.
  // From the channel's definition, kept until a channel is applied again.
  std::string ConsentKind(std::string_view channel) override {
    const uint64_t generation = m_.delivery->channel_generation();
    if (generation != consent_generation_) {
      consent_kinds_.clear();
      consent_generation_ = generation;
    }
    auto it = consent_kinds_.find(channel);
    if (it == consent_kinds_.end())
      it = consent_kinds_.emplace(std::string(channel), m_.delivery->ChannelConsent(channel)).first;
    return it->second;
  }
  // Live (no `channels`): called by the runtime with the journeys mutex held (the analysis cannot
  // see through the runtime's virtual call).
  journeys::ChannelChoice ChooseChannel(const journeys::ChannelQuestion& q)
      NO_THREAD_SAFETY_ANALYSIS override {
    if (channels_ == nullptr) return m_.channels->ChooseLive(*m_.journeys, q);
    return channels_->ChooseAndCount(q, "replay/" + q.key);
  }
  // Today's members that were members at `at` (a replay starts a segment journey at the start of
  // its window, before some of today's members joined; a profile that has left since is missed).
  Result<std::vector<ProfileId>> Members(const SegmentId& segment, TimeMs at) override {
    SP_ASSIGN_OR_RETURN(std::vector<ProfileId> now, m_.segments->Members(segment));
    std::vector<ProfileId> out;
    for (ProfileId p : now) {
      SP_ASSIGN_OR_RETURN(bool member, m_.segments->InSegment(segment, p, at));
      if (member) out.push_back(p);
    }
    return out;
  }

 private:
  const Engine::Impl& m_;
  ChannelBandits* channels_;  // a replay's; nullptr = the live one
  std::map<std::string, std::pair<TimeMs, std::optional<std::string>>> winners_;
  std::map<std::string, std::string, std::less<>> consent_kinds_;
  uint64_t consent_generation_ = 0;
};

std::unique_ptr<journeys::Environment> MakeEnvironment(const Engine::Impl& m,
                                                       ChannelBandits* channels) {
  return std::make_unique<EngineEnvironment>(m, channels);
}

journeys::References JourneyReferences(const Engine::Impl& m) {
  journeys::References r;
  r.segment = [&m](std::string_view s) -> std::string {
    if (m.segments->Exists(SegmentId(s))) return "";
    return fmt::format(
        "no segment named '{}'; define it (`kind: segment`) or save funnel people "
        "under that name first",
        s);
  };
  r.template_channel = [&m](std::string_view id, std::string* channel) -> std::string {
    auto c = m.delivery->TemplateChannel(id);
    if (!c.ok()) return c.status().message();
    *channel = *c;
    return "";
  };
  r.channel = [&m](std::string_view c) -> std::string {
    if (m.delivery->ChannelConfigured(c)) return "";
    return fmt::format(
        "no channel '{}' is configured; apply a `kind: channel` definition with id {}", c, c);
  };
  r.funnel = [&m](std::string_view f) -> std::string {
    return m.store().definitions().Get(store::DefinitionKind::kFunnel, f).ok()
               ? ""
               : fmt::format("no funnel '{}'; apply a `kind: funnel` definition first", f);
  };
  r.goal = [](const json& goal) -> std::string {
    auto g = goals::ParseGoalJson(goal, "goal");
    return g.ok() ? "" : g.status().message();
  };
  return r;
}

// The global frequency cap (messages per profile per day; 0 = none) from `kind: settings`.
int FrequencyCap(const store::Store& store) {
  auto s = store.definitions().Get(store::DefinitionKind::kSettings, "global");
  if (!s.ok()) return 0;
  json j = json::parse(s->body, nullptr, false);
  if (!j.is_object() || !j.contains("frequency_cap")) return 0;
  return j["frequency_cap"].value("per_day", 0);
}

journeys::InputEvent InputOf(const Event& e, ProfileId profile) {
  journeys::InputEvent in;
  in.seq = e.seq;
  in.profile = profile;
  in.type = e.type;
  if (e.type == EventType::kTrack) in.name = e.event;
  in.timestamp = e.timestamp;
  in.properties = e.properties;
  in.traits = e.traits;
  return in;
}

Result<int> ParseSettingsCap(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("settings: not valid YAML or JSON (line {})", e.mark.line + 1));
  }
  std::string id = root["id"] ? root["id"].Scalar() : "";
  if (id != "global")
    return Status::InvalidArgument("id: settings have one id, `global`; write `id: global`");
  int cap = 0;
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key == "kind" || key == "id" || key == "note") continue;
    if (key != "frequency_cap")
      return Status::InvalidArgument(
          fmt::format("settings.{}: unknown setting; use frequency_cap", key));
    const YAML::Node& fc = kv.second;
    if (!fc.IsMap() || !fc["per_day"])
      return Status::InvalidArgument("settings.frequency_cap: expected { per_day: <messages> }");
    try {
      cap = fc["per_day"].as<int>();
    } catch (const YAML::Exception&) {
      cap = -1;
    }
    if (cap < 0) {
      return Status::InvalidArgument(
          "settings.frequency_cap.per_day: expected a whole number of messages (0 = no cap)");
    }
  }
  return cap;
}

// ---- reports
// ---------------------------------------------------------------------------------------------

namespace {

json Target(int t) {
  if (t == journeys::kEnd) return "end";
  if (t == journeys::kExitNow) return "exit";
  return t;
}

const char* KindName(journeys::StepKind k) {
  switch (k) {
    case journeys::StepKind::kMessage:
      return "message";
    case journeys::StepKind::kWait:
      return "wait";
    case journeys::StepKind::kBranch:
      return "branch";
    case journeys::StepKind::kSplit:
      return "split";
    case journeys::StepKind::kUpdate:
      return "update";
    case journeys::StepKind::kExit:
      return "exit";
  }
  return "?";
}

json StepJson(const journeys::JourneyDefinition& def, const journeys::Step& s,
              const journeys::StepCounters* c) {
  auto id_of = [&def](int t) -> json {
    return t >= 0 ? json(def.steps[static_cast<size_t>(t)].id) : Target(t);
  };
  json next = json::array();
  switch (s.kind) {
    case journeys::StepKind::kMessage:
    case journeys::StepKind::kUpdate:
      next.push_back({{"to", id_of(s.next)}, {"label", ""}});
      break;
    case journeys::StepKind::kWait:
      if (s.wait == journeys::WaitKind::kEvent) {
        next.push_back({{"to", id_of(s.on_event)}, {"label", s.await.event}});
        if (s.timeout > 0) next.push_back({{"to", id_of(s.on_timeout)}, {"label", "timeout"}});
      } else {
        next.push_back({{"to", id_of(s.next)}, {"label", ""}});
      }
      break;
    case journeys::StepKind::kBranch:
      for (const auto& a : s.arms) next.push_back({{"to", id_of(a.next)}, {"label", a.label}});
      next.push_back({{"to", id_of(s.otherwise)}, {"label", "else"}});
      break;
    case journeys::StepKind::kSplit:
      for (const auto& v : s.variants)
        next.push_back({{"to", id_of(v.next)}, {"label", fmt::format("{} ({}%)", v.id, v.weight)}});
      break;
    case journeys::StepKind::kExit:
      break;
  }
  uint64_t inflow = c ? c->inflow : 0, passed = c ? c->passed_on : 0, exited = 0;
  json exits = json::object();
  if (c) {
    for (const auto& [reason, n] : c->exits) {
      exits[reason] = n;
      exited += n;
    }
  }
  json out = {{"id", s.id},
              {"type", KindName(s.kind)},
              {"line", s.line},
              {"inflow", inflow},
              {"in_progress", inflow - passed - exited},
              {"passed_on", passed},
              {"exits", exits},
              {"next", next}};
  if (s.kind == journeys::StepKind::kMessage) {
    out["channel"] = s.channel;
    out["template"] = s.template_id;
    if (s.channel == journeys::kAutoChannel) {
      json templates = json::object();
      for (const auto& [channel, template_id] : s.auto_templates) templates[channel] = template_id;
      out["templates"] = templates;
      out["default"] = s.default_channel;
    }
  }
  return out;
}

}  // namespace

json StepAnalyticsJson(const journeys::JourneyDefinition& def, const journeys::JourneyStatus& st) {
  json steps = json::array();
  auto entry_it = st.steps.find("entry");
  const journeys::StepCounters* entry = entry_it == st.steps.end() ? nullptr : &entry_it->second;
  json entry_exits = json::object();
  uint64_t entry_exited = 0;
  if (entry) {
    for (const auto& [r, n] : entry->exits) {
      entry_exits[r] = n;
      entry_exited += n;
    }
  }
  steps.push_back(
      {{"id", "entry"},
       {"type", "entry"},
       {"inflow", entry ? entry->inflow : 0},
       {"in_progress", 0},
       {"passed_on", entry ? entry->passed_on : 0},
       {"exits", entry_exits},
       {"next", json::array({{{"to", def.steps.empty() ? json("end") : json(def.steps[0].id)},
                              {"label", ""}}})}});
  (void)entry_exited;
  for (const auto& s : def.steps) {
    auto it = st.steps.find(s.id);
    steps.push_back(StepJson(def, s, it == st.steps.end() ? nullptr : &it->second));
  }
  return steps;
}

json JourneyTotals(const journeys::JourneyStatus& st) {
  uint64_t exited = 0;
  for (const auto& [id, c] : st.steps) {
    if (id == "entry") continue;
    for (const auto& [r, n] : c.exits) exited += n;
  }
  return {{"entered", st.entered},     {"entered_holdout", st.entered_holdout},
          {"entries", st.entries},     {"in_progress", st.in_progress},
          {"completed", st.completed}, {"exited", exited}};
}

Result<json> Engine::Journeys() const {
  const Impl& m = *impl_;
  SP_ASSIGN_OR_RETURN(json list, m.journeys->List());
  for (json& row : list["journeys"]) {
    auto tile = m.goals->Tile(*m.journeys, row["id"].get<std::string>());
    if (tile.ok()) row["goal"] = *tile;
  }
  return list;
}

Result<json> Engine::Journey(std::string_view id) const {
  return impl_->journeys->Get(JourneyId(id));
}

Result<json> Engine::SetJourneyState(std::string_view id, std::string_view state) {
  return impl_->journeys->SetState(JourneyId(id), state);
}

Status Engine::RunJourneysUntilIdle() { return impl_->journeys->RunUntilIdle(); }

}  // namespace signpost
