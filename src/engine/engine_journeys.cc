// Engine: journeys. The environment the runtime reads profiles through (JourneyEnvironment, over
// the services), what a journey refers to (JourneyReferences), step analytics views, and the
// facade's journey methods (one-line delegations). The runtime itself (its thread, durable state,
// lifecycle) is the JourneyService (journey_service.cc); replay is the ReplayService
// (engine_replay.cc), goals the GoalService.
#include "engine/engine_journeys.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>

#include "analytics/funnel_definition.h"
#include "base/json_text.h"
#include "base/system_events.h"
#include "base/time.h"
#include "engine/engine_impl.h"
#include "goals/goal_definition.h"
#include "identity/traits.h"
#include "journeys/journey_definition.h"
#include "segments/profile_facts.h"
#include "store/db.h"

namespace signpost {

using nlohmann::json;
namespace se = system_events;

// ---- the environment: profiles as of a time
// ---------------------------------------------------------

namespace engine {

namespace {

// A trait as of `at` in a trait history ordered by (timestamp, seq); nullopt when unset or null.
std::optional<std::string> TraitIn(const std::vector<identity::TraitChange>& history,
                                   std::string_view name, TimeMs at) {
  std::optional<std::string> value;
  for (const auto& c : history) {
    if (c.timestamp > at) break;
    if (c.name == name) value = c.value;
  }
  if (value && *value == "null") return std::nullopt;
  return value;
}

// A replay's view of one profile's segment facts: the traits from the replay's history
// (ReplayTraits applied), the events and static lists as stored.
class ReplayFacts final : public segments::ProfileFacts {
 public:
  ReplayFacts(std::unique_ptr<segments::ProfileFacts> stored,
              const std::vector<identity::TraitChange>& history)
      : stored_(std::move(stored)), history_(history) {}
  std::optional<std::string> TraitAt(std::string_view name, TimeMs at) const override {
    return TraitIn(history_, name, at);
  }
  Status ForEachEvent(std::string_view event, TimeMs from, TimeMs to,
                      const std::function<bool(TimeMs, std::string_view)>& fn) const override {
    return stored_->ForEachEvent(event, from, to, fn);
  }
  bool InStaticSegment(const SegmentId& segment) const override {
    return stored_->InStaticSegment(segment);
  }
  Result<segments::FunnelFact> FunnelAt(const FunnelId& funnel, TimeMs at) const override {
    return stored_->FunnelAt(funnel, at);
  }

 private:
  std::unique_ptr<segments::ProfileFacts> stored_;
  const std::vector<identity::TraitChange>& history_;
};

class ServicesScope final : public journeys::ProfileScope {
 public:
  ServicesScope(const JourneyReaders& r, ProfileId p, const ReplayTraits* replay)
      : r_(r), p_(p), identity_(r.goals.PrimaryIdentityOf(p)), replay_(replay) {}

  const std::string& Identity() override { return identity_; }

  std::optional<std::string> TraitAt(std::string_view name, TimeMs at) override {
    Load();
    return TraitIn(view_.trait_history, name, at);
  }

  json TraitsAt(TimeMs at) override {
    Load();
    return identity::TraitsAsOf(view_.trait_history, at);
  }

  std::optional<TimeMs> SegmentChangesAt(const SegmentId& segment, TimeMs at) override {
    Facts();
    auto next = r_.segments.NextTimeChange(segment, *facts_, at);
    return next.ok() ? *next : std::nullopt;
  }

  Result<bool> InSegment(const SegmentId& segment, TimeMs at) override {
    Facts();
    return r_.segments.InSegment(segment, *facts_, at);
  }

  Result<bool> DidEvent(const rules::EventMatcher& matcher, TimeMs from, TimeMs to) override {
    Facts();
    bool found = false;
    rules::JsonMatcher json_matcher;
    SP_RETURN_IF_ERROR(
        facts_->ForEachEvent(matcher.event, from, to, [&](TimeMs, std::string_view props) {
          found = json_matcher.Matches(matcher.where, {props});
          return !found;
        }));
    return found;
  }

  Result<journeys::FunnelStepState> FunnelStepAt(const FunnelId& funnel, TimeMs at) override {
    SP_ASSIGN_OR_RETURN(analytics::FunnelPosition pos, r_.funnels.PositionOf(funnel, p_, at));
    return journeys::FunnelStepState{pos.last_step, std::move(pos.last_step_name), pos.last_step_at,
                                     pos.next_step, std::move(pos.next_step_name)};
  }

  Result<journeys::NextBestActionState> NextBestActionAt(const FunnelId& funnel,
                                                         TimeMs at) override {
    if (r_.next_best_actions == nullptr) return Status::NotFound("next best action: not wired");
    SP_ASSIGN_OR_RETURN(ProfileNextBestAction nba,
                        r_.next_best_actions->ForProfile(funnel, p_, at));
    return journeys::NextBestActionState{nba.stuck, std::move(nba.recommended)};
  }

 private:
  void Facts() {
    if (facts_) return;
    facts_ = r_.segments.FactsOf(p_);
    if (replay_ != nullptr) {  // the traits as the replay has them
      Load();
      facts_ = std::make_unique<ReplayFacts>(std::move(facts_), view_.trait_history);
    }
  }

  void Load() {
    if (loaded_) return;
    loaded_ = true;
    auto h = r_.profiles.TraitHistory(p_);
    if (h.ok()) {
      view_.trait_history = std::move(*h);
    } else {
      spdlog::warn("journeys: the traits of profile {} are unreadable ({}); read as none",
                   p_.value(), h.status().ToString());
    }
    if (replay_ != nullptr) {
      auto& history = view_.trait_history;
      if (!replay_->dropped_seqs.empty()) {
        std::erase_if(history, [this](const identity::TraitChange& c) {
          return replay_->dropped_seqs.count(c.seq) != 0;
        });
      }
      if (auto it = replay_->added.find(p_.value()); it != replay_->added.end()) {
        history.insert(history.end(), it->second.begin(), it->second.end());
        std::stable_sort(history.begin(), history.end(), [](const auto& a, const auto& b) {
          return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
        });
      }
    }
  }

  const JourneyReaders& r_;
  ProfileId p_;
  std::string identity_;
  bool loaded_ = false;
  identity::ProfileView view_;
  std::unique_ptr<segments::ProfileFacts> facts_;
  const ReplayTraits* replay_;
};

}  // namespace

std::unique_ptr<journeys::ProfileScope> JourneyEnvironment::Open(ProfileId p) {
  return std::make_unique<ServicesScope>(r_, p, replay_traits_);
}

journeys::SegmentDependencies JourneyEnvironment::DependenciesOf(const SegmentId& segment) {
  segments::Triggers t = r_.segments.TriggersOf(segment);
  return {t.events, t.traits, t.time};
}

std::optional<std::string> JourneyEnvironment::SplitWinner(const JourneyId& journey,
                                                           std::string_view step, TimeMs at) {
  std::string key = journey.value() + "/" + std::string(step);
  auto it = winners_.find(key);
  if (it != winners_.end() && (it->second.second || at - it->second.first < 60'000))
    return it->second.second;
  MutexLock lock(journeys_.mu());
  auto r = r_.experiments.SplitWinner(journeys_, journey.value(), step);
  std::optional<std::string> w = r.ok() ? *r : std::nullopt;
  winners_[key] = {at, w};
  return w;
}

std::vector<std::string> JourneyEnvironment::TemplateFunnels(std::string_view template_id) {
  const uint64_t generation = r_.delivery.channel_generation();
  if (generation != funnels_generation_) {
    template_funnels_.clear();
    funnels_generation_ = generation;
  }
  auto it = template_funnels_.find(template_id);
  if (it == template_funnels_.end())
    it = template_funnels_
             .emplace(std::string(template_id), r_.delivery.TemplateFunnels(template_id))
             .first;
  return it->second;
}

std::vector<std::string> JourneyEnvironment::FunnelEvents(const FunnelId& funnel) {
  std::vector<std::string> out;
  auto record = r_.store.definitions().Get(store::DefinitionKind::kFunnel, funnel.value());
  if (!record.ok()) return out;
  auto def = analytics::ParseFunnelDefinition(record->body);
  if (!def.ok()) return out;
  for (const auto& step : def->steps) {
    for (const auto& m : step.any_of) out.push_back(m.event);
  }
  return out;
}

bool JourneyEnvironment::TrackingConsentDefault(std::string_view category) {
  return journeys_.TrackingConsentDefaults().DefaultFor(std::string(category));
}

std::string JourneyEnvironment::ConsentKind(std::string_view channel) {
  const uint64_t generation = r_.delivery.channel_generation();
  if (generation != consent_generation_) {
    consent_kinds_.clear();
    consent_generation_ = generation;
  }
  auto it = consent_kinds_.find(channel);
  if (it == consent_kinds_.end())
    it = consent_kinds_.emplace(std::string(channel), r_.delivery.ChannelConsent(channel)).first;
  return it->second;
}

journeys::ChannelChoice JourneyEnvironment::ChooseChannel(const journeys::ChannelQuestion& q) {
  if (channels_ == nullptr) {
    MutexLock lock(journeys_.mu());
    return r_.channels.ChooseLive(journeys_, q);
  }
  return channels_->ChooseAndCount(q, "replay/" + q.key);
}

Result<std::vector<ProfileId>> JourneyEnvironment::Members(const SegmentId& segment, TimeMs at) {
  SP_ASSIGN_OR_RETURN(std::vector<ProfileId> now, r_.segments.Members(segment));
  std::vector<ProfileId> out;
  for (ProfileId p : now) {
    SP_ASSIGN_OR_RETURN(bool member, r_.segments.InSegment(segment, p, at));
    if (member) out.push_back(p);
  }
  return out;
}

journeys::References JourneyReferences::Checks() const {
  journeys::References r;
  r.segment = [&segments = segments_](std::string_view s) -> std::string {
    if (segments.Exists(SegmentId(s))) return "";
    return fmt::format(
        "no segment named '{}'; define it (`kind: segment`) or save funnel people "
        "under that name first",
        s);
  };
  r.template_channel = [&delivery = delivery_](std::string_view id,
                                               std::string* channel) -> std::string {
    auto c = delivery.TemplateChannel(id);
    if (!c.ok()) return c.status().message();
    *channel = *c;
    return "";
  };
  r.channel = [&delivery = delivery_](std::string_view c) -> std::string {
    if (delivery.ChannelConfigured(c)) return "";
    return fmt::format(
        "no channel '{}' is configured; apply a `kind: channel` definition with id {}", c, c);
  };
  r.funnel = [&store = store_](std::string_view f) -> std::string {
    return store.definitions().Get(store::DefinitionKind::kFunnel, f).ok()
               ? ""
               : fmt::format("no funnel '{}'; apply a `kind: funnel` definition first", f);
  };
  r.goal = [](const json& goal) -> std::string {
    auto g = goals::ParseGoalJson(goal, "goal");
    return g.ok() ? "" : g.status().message();
  };
  return r;
}

}  // namespace engine

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

// ---- step analytics
// ---------------------------------------------------------------------------------------------

namespace {

std::string Target(int t) {
  if (t == journeys::kEnd) return "end";
  if (t == journeys::kExitNow) return "exit";
  return std::to_string(t);
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

JourneyStepView StepView(const journeys::JourneyDefinition& def, const journeys::Step& s,
                         const journeys::StepCounters* c) {
  auto id_of = [&def](int t) -> std::string {
    return t >= 0 ? def.steps[static_cast<size_t>(t)].id : Target(t);
  };
  JourneyStepView out;
  out.id = s.id;
  out.type = KindName(s.kind);
  out.line = s.line;
  switch (s.kind) {
    case journeys::StepKind::kMessage:
    case journeys::StepKind::kUpdate:
      out.next.push_back({id_of(s.next), ""});
      break;
    case journeys::StepKind::kWait:
      if (s.wait == journeys::WaitKind::kEvent) {
        out.next.push_back({id_of(s.on_event), s.await.event});
        if (s.timeout > 0) out.next.push_back({id_of(s.on_timeout), "timeout"});
      } else {
        out.next.push_back({id_of(s.next), ""});
      }
      break;
    case journeys::StepKind::kBranch:
      for (const auto& a : s.arms) out.next.push_back({id_of(a.next), a.label});
      out.next.push_back({id_of(s.otherwise), "else"});
      break;
    case journeys::StepKind::kSplit:
      for (const auto& v : s.variants)
        out.next.push_back({id_of(v.next), fmt::format("{} ({}%)", v.id, v.weight)});
      break;
    case journeys::StepKind::kExit:
      break;
  }
  uint64_t exited = 0;
  if (c) {
    out.inflow = c->inflow;
    out.passed_on = c->passed_on;
    for (const auto& [reason, n] : c->exits) {
      out.exits[reason] = n;
      exited += n;
    }
  }
  out.in_progress = out.inflow - out.passed_on - exited;
  if (s.kind == journeys::StepKind::kMessage) {
    out.channel = s.channel;
    out.template_id = s.template_id;
    if (s.channel == journeys::kAutoChannel) {
      out.templates.emplace();
      for (const auto& [channel, template_id] : s.auto_templates)
        (*out.templates)[channel] = template_id;
      out.default_channel = s.default_channel;
    }
  }
  return out;
}

}  // namespace

std::vector<JourneyStepView> StepViews(const journeys::JourneyDefinition& def,
                                       const journeys::JourneyStatus& st) {
  std::vector<JourneyStepView> steps;
  JourneyStepView entry;
  entry.id = "entry";
  entry.type = "entry";
  if (auto it = st.steps.find("entry"); it != st.steps.end()) {
    entry.inflow = it->second.inflow;
    entry.passed_on = it->second.passed_on;
    entry.exits = it->second.exits;
  }
  entry.next.push_back({def.steps.empty() ? "end" : def.steps[0].id, ""});
  steps.push_back(std::move(entry));
  for (const auto& s : def.steps) {
    auto it = st.steps.find(s.id);
    steps.push_back(StepView(def, s, it == st.steps.end() ? nullptr : &it->second));
  }
  return steps;
}

JourneyTotals TotalsOf(const journeys::JourneyStatus& st) {
  JourneyTotals t{.entered = st.entered,
                  .entered_holdout = st.entered_holdout,
                  .entries = st.entries,
                  .in_progress = st.in_progress,
                  .completed = st.completed,
                  .exited = 0,
                  .erased = st.erased};
  for (const auto& [id, c] : st.steps) {
    if (id == "entry") continue;
    for (const auto& [r, n] : c.exits) t.exited += n;
  }
  return t;
}

Result<JourneyList> Engine::Journeys() const {
  const Impl& m = *impl_;
  SP_ASSIGN_OR_RETURN(JourneyList list, m.journeys->List());
  for (JourneyRow& row : list.journeys) {
    auto report = m.goals->Report(*m.journeys, row.id.value(), GoalReportQuery());
    if (report.ok()) row.goal = std::move(*report);
  }
  return list;
}

Result<JourneyView> Engine::Journey(std::string_view id) const {
  return impl_->journeys->Get(JourneyId(id));
}

Result<JourneyStateChange> Engine::SetJourneyState(std::string_view id, std::string_view state) {
  return impl_->audit->Recorded(
      "journey.state", fmt::format("journey/{}", id),
      impl_->journeys->SetState(JourneyId(id), state), [](const JourneyStateChange& c) {
        return nlohmann::json{{"state", JourneyLifecycleName(c.state)}, {"version", c.version}};
      });
}

Result<ReplayReport> Engine::Replay(const ReplayRequest& request) const {
  return impl_->replay->Replay(request);
}

Result<ProgrammeReplayReport> Engine::ReplayProgramme(const ProgrammeReplayRequest& request) const {
  return impl_->replay->ReplayProgramme(request);
}

Result<ReplayComparison> Engine::CompareReplays(const ReplayComparisonRequest& request) const {
  return impl_->replay->CompareReplays(request);
}

Status Engine::RunJourneysUntilIdle() { return impl_->journeys->RunUntilIdle(); }

}  // namespace signpost
