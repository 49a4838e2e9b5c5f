// Engine: journeys. Definitions and lifecycle, the live runtime (its input from the commit thread,
// its thread, durable state), step analytics. Replay is in engine_replay.cc, goals in
// engine_goals.cc.
//
// Durability: the runtime's decisions are made durable in this order: (1) its system events
// (deterministic message ids, so a repeat stores nothing), then (2) one atomic write of the changed
// profile states, journey counters, outbox messages and the cursor (the last committed seq seen).
// A crash between (1) and (2) re-processes from the old cursor and produces the same events and
// the same outbox keys, so nothing is lost or sent under a second key, and no timer fires twice.
#include "engine/engine_journeys.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/json_text.h"
#include "base/system_events.h"
#include "base/time.h"
#include "delivery/signing.h"
#include "engine/engine_delivery.h"
#include "engine/engine_experiments.h"
#include "engine/engine_goals.h"
#include "engine/engine_segments.h"
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
      : m_(m), p_(p), identity_(PrimaryIdentityOf(m, p)) {}

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

  Result<bool> InSegment(std::string_view name, TimeMs at) override {
    if (!facts_) facts_ = FactsOf(m_, p_);
    return signpost::InSegment(m_, name, *facts_, at);
  }

  Result<bool> DidEvent(const analytics::EventMatcher& matcher, TimeMs from, TimeMs to) override {
    if (!facts_) facts_ = FactsOf(m_, p_);
    bool found = false;
    analytics::JsonMatcher json_matcher;
    SP_RETURN_IF_ERROR(
        facts_->ForEachEvent(matcher.event, from, to, [&](TimeMs, std::string_view props) {
          found = json_matcher.Matches(matcher.where, {props});
          return !found;
        }));
    return found;
  }

  Result<int> LastCompletedStep(std::string_view funnel) override {
    return m_.LastStepOf(funnel, p_, m_.clock->NowMs());
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
  journeys::SegmentDependencies DependenciesOf(std::string_view segment) override {
    segments::Triggers t = SegmentTriggers(m_, segment);
    return {t.events, t.traits};
  }
  // The decided winner of a split, asked again at most once a minute of journey time while the test
  // runs (deciding reads the journey's events); a decision is final and kept.
  std::optional<std::string> SplitWinner(std::string_view journey, std::string_view step,
                                         TimeMs at) override {
    std::string key = std::string(journey) + "/" + std::string(step);
    auto it = winners_.find(key);
    if (it != winners_.end() && (it->second.second || at - it->second.first < 60'000))
      return it->second.second;
    auto r = signpost::SplitWinner(m_, journey, step);
    std::optional<std::string> w = r.ok() ? *r : std::nullopt;
    winners_[key] = {at, w};
    return w;
  }
  // Live: a send already recorded under this key (a re-processing after a crash) keeps its choice;
  // otherwise Thompson sampling on the step's bandit, the choice counted as a send at once.
  // From the channel's definition, kept until a channel is applied again.
  std::string ConsentKind(std::string_view channel) override {
    const uint64_t generation = m_.channel_generation.load();
    if (generation != consent_generation_) {
      consent_kinds_.clear();
      consent_generation_ = generation;
    }
    auto it = consent_kinds_.find(channel);
    if (it == consent_kinds_.end())
      it = consent_kinds_.emplace(std::string(channel), ChannelConsent(m_, channel)).first;
    return it->second;
  }
  journeys::ChannelChoice ChooseChannel(const journeys::ChannelQuestion& q) override {
    ChannelBandits* b = channels_;
    std::string key = "replay/" + q.key;
    if (b == nullptr) {
      if (Status s = EnsureChannelsLoaded(m_); !s.ok())
        spdlog::warn("journeys: channel counts not loaded ({}); choosing on what is known",
                     s.ToString());
      b = &m_.journeys->channels;
      if (const AutoSend* sent = b->SendOf(q.key)) return {sent->channel, sent->control};
      key = q.key;
    }
    journeys::ChannelChoice choice = b->Choose(q);
    b->RecordSend(key, {q.journey, q.step, choice.channel, q.segment, choice.control, q.at,
                        q.profile.value(), false});
    return choice;
  }
  // Today's members that were members at `at` (a replay starts a segment journey at the start of
  // its window, before some of today's members joined; a profile that has left since is missed).
  Result<std::vector<ProfileId>> Members(std::string_view segment, TimeMs at) override {
    SP_ASSIGN_OR_RETURN(std::vector<ProfileId> now, m_.SegmentMembers(segment));
    std::vector<ProfileId> out;
    for (ProfileId p : now) {
      SP_ASSIGN_OR_RETURN(bool member, InSegment(m_, segment, p, at));
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

JourneysPart::JourneysPart() = default;
JourneysPart::~JourneysPart() = default;

// ---- records
// -------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kCursorKey = "cursor";
constexpr std::string_view kMergesKey = "merges";           // the last identity merge applied
constexpr std::string_view kSystemIdKey = "system_id_key";  // 32 random bytes (SystemIdKey)

std::string ProfileKey(ProfileId p) {
  std::string k = "p";
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((p.value() >> (8 * i)) & 0xff));
  return k;
}

ProfileId ProfileOfKey(std::string_view k) {
  uint64_t v = 0;
  for (size_t i = 1; i < 9 && i < k.size(); ++i) v = (v << 8) | static_cast<uint8_t>(k[i]);
  return ProfileId(v);
}

std::string StatusKey(std::string_view journey) { return "j" + std::string(journey); }

// Copies what the runtime reacts to where OnCommitted reads it. Caller holds j.mu.
void RefreshFilter(JourneysPart& j) {
  auto [names, identify] = j.runtime->Interests();
  bool any_live = false;
  for (const auto& id : j.runtime->JourneyIds()) {
    const journeys::JourneyStatus* st = j.runtime->StatusOf(id);
    any_live = any_live || (st && st->state == journeys::Lifecycle::kLive);
  }
  for (const auto& name : j.goal_events) names.insert(name);
  std::lock_guard lock(j.queue_mu);
  j.interesting = std::move(names);
  j.interested_in_identify = identify;
  j.any_live = any_live;
}

// Keeps the goal of version `def` of a journey for attribution.
void KeepGoal(JourneysPart& j, const journeys::JourneyDefinition& def) {
  if (def.goal.is_null()) {
    j.goals.erase(def.id);
  } else if (auto g = goals::ParseGoalJson(def.goal, "goal"); g.ok()) {
    j.goals[def.id] = goals::JourneyGoal{def.id, *g, def.listening_window};
  }
  j.goal_events.clear();
  for (const auto& [id, jg] : j.goals) {
    if (jg.goal.met_when == goals::MetWhenKind::kEvent) {
      j.goal_events.insert(jg.goal.trigger.event);
    } else {
      j.goal_events.insert(std::string(se::kMessageOpened));
      j.goal_events.insert(std::string(se::kMessageClicked));
    }
  }
}

}  // namespace

journeys::References JourneyReferences(const Engine::Impl& m) {
  journeys::References r;
  r.segment = [&m](std::string_view s) -> std::string {
    if (SegmentExists(m, s)) return "";
    return fmt::format(
        "no segment named '{}'; define it (`kind: segment`) or save funnel people "
        "under that name first",
        s);
  };
  r.template_channel = [&m](std::string_view id, std::string* channel) -> std::string {
    auto c = TemplateChannel(m, id);
    if (!c.ok()) return c.status().message();
    *channel = *c;
    return "";
  };
  r.channel = [&m](std::string_view c) -> std::string {
    if (ChannelConfigured(m, c)) return "";
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

Result<std::string> SystemIdKey(Engine::Impl& m) {
  store::Db& db = m.store().db();
  SP_ASSIGN_OR_RETURN(auto existing, db.Get(store::Cf::kJourneys, kSystemIdKey));
  if (existing && existing->size() == 32) return *existing;
  std::string key = delivery::RandomBytes(32);
  if (key.size() != 32)
    return Status::Internal("no random bytes for the system id key (RAND_bytes failed)");
  store::Batch batch = db.NewBatch();
  batch.Put(store::Cf::kJourneys, kSystemIdKey, key);
  SP_RETURN_IF_ERROR(db.Write(batch, true));
  return key;
}

// The global frequency cap (messages per profile per day; 0 = none) from `kind: settings`.
int FrequencyCap(const Engine::Impl& m) {
  auto s = m.store().definitions().Get(store::DefinitionKind::kSettings, "global");
  if (!s.ok()) return 0;
  json j = json::parse(s->body, nullptr, false);
  if (!j.is_object() || !j.contains("frequency_cap")) return 0;
  return j["frequency_cap"].value("per_day", 0);
}

// ---- processing
// ----------------------------------------------------------------------------------------

namespace {

// Makes `fx` durable (see the top of this file). Caller holds j.mu; not the commit thread.
Status Persist(Engine::Impl& m, JourneysPart& j, journeys::Effects& fx, uint64_t cursor,
               uint64_t merges = 0) {
  if (!fx.events.empty()) {
    SP_ASSIGN_OR_RETURN(IngestOutcome out, m.RecordSystemEvents(std::move(fx.events)));
    (void)out;
  }
  if (fx.dirty_profiles.empty() && fx.dirty_journeys.empty() && fx.messages.empty() &&
      cursor <= j.cursor && merges <= j.merges_applied)
    return Status::Ok();
  store::Batch batch = m.store().db().NewBatch();
  for (uint64_t pid : fx.dirty_profiles) {
    const journeys::ProfileState* st = j.runtime->State(ProfileId(pid));
    if (st) {
      batch.Put(store::Cf::kJourneys, ProfileKey(ProfileId(pid)), journeys::ToJson(*st).dump());
    } else {
      batch.Delete(store::Cf::kJourneys, ProfileKey(ProfileId(pid)));
    }
  }
  for (const auto& id : fx.dirty_journeys) {
    if (const journeys::JourneyStatus* st = j.runtime->StatusOf(id))
      batch.Put(store::Cf::kJourneys, StatusKey(id), journeys::ToJson(*st).dump());
  }
  for (const auto& msg : fx.messages) EnqueueMessage(m, batch, msg);
  if (cursor > j.cursor) {
    batch.Put(store::Cf::kJourneys, kCursorKey, std::to_string(cursor));
    j.cursor = cursor;
  }
  if (merges > j.merges_applied) {
    batch.Put(store::Cf::kJourneys, kMergesKey, std::to_string(merges));
    j.merges_applied = merges;
  }
  SP_RETURN_IF_ERROR(m.store().db().Write(batch));
  if (!fx.messages.empty()) NotifyDelivery(m);
  return Status::Ok();
}

// Runs `f`, turning anything it throws into kInternal: the journeys thread must outlive any input.
template <class F>
Status Guarded(std::string_view what, F&& f) {
  try {
    f();
    return Status::Ok();
  } catch (const std::exception& ex) {
    return Status::Internal(fmt::format("{} failed: {}", what, ex.what()));
  } catch (...) {
    return Status::Internal(fmt::format("{} failed: an unknown exception", what));
  }
}

// One event through the runtime. An error means the event was not handled (its partial effects
// are dropped) and must be set aside; `journey` names the journey when known.
Status HandleEvent(JourneysPart& j, const journeys::InputEvent& e, journeys::Effects* fx,
                   std::string* journey) {
  journey->clear();
  if (j.fault_for_testing) {
    SP_RETURN_IF_ERROR(Guarded("handling the event", [&] { j.fault_for_testing(e); }));
  }
  return j.runtime->TryProcess(e, fx, journey);
}

// The event as a dead letter's raw text: what the runtime saw of it (the stored event stays).
std::string RawOf(const journeys::InputEvent& e) {
  JsonObjectText raw;
  raw.Add("type", EventTypeName(e.type));
  if (!e.name.empty()) raw.Add("event", e.name);
  raw.Add("seq", e.seq)
      .Add("profile", e.profile.value())
      .Add("timestamp", FormatIso8601(e.timestamp));
  raw.AddRaw("properties", e.properties.empty() ? "{}" : e.properties);
  raw.AddRaw("traits", e.traits.empty() ? "{}" : e.traits);
  std::string text = raw.Finish();
  constexpr size_t kMaxRaw = 64 * 1024;  // as Rejection::raw says
  if (text.size() > kMaxRaw) text.resize(kMaxRaw);
  return text;
}

// A poison event: counted, logged and kept as a dead letter of the journeys, so the runtime goes on
// past it (the cursor moves over it with the rest of the round; a restart never handles it again).
Status SetAside(Engine::Impl& m, JourneysPart& j, const journeys::InputEvent& e,
                const std::string& journey, const Status& why) {
  ++j.poison_events;
  spdlog::error("journeys: event seq {} of profile {} set aside: {}", e.seq, e.profile.value(),
                why.ToString());
  Rejection r;
  r.location = journey.empty() ? fmt::format("event seq {}", e.seq)
                               : fmt::format("journey {}, event seq {}", journey, e.seq);
  r.reason = fmt::format(
      "the journeys could not handle this event and set it aside (it stays stored and counts in "
      "reports; no journey step ran for it): {}",
      why.message());
  r.raw = RawOf(e);
  return m.store().AddDeadLetters({r}, kJourneysDeadLetterSource, m.clock->NowMs()).status();
}

// Logs and counts a failure outside one event's handling (timers, merges, segment changes): the
// runtime goes on with the rest.
void NoteFailure(JourneysPart& j, const Status& s) {
  if (s.ok()) return;
  ++j.poison_events;
  spdlog::error("journeys: {}", s.ToString());
}

// Handles everything queued and every timer due at `now`, until nothing is left. Caller holds j.mu.
// No input can make it throw: a failing event is set aside (SetAside), a failing timer, merge or
// segment change is logged and counted; only a failing store write is returned.
Status Drain(Engine::Impl& m, JourneysPart& j, TimeMs now) {
  for (int round = 0; round < 1000; ++round) {
    std::deque<JourneyInput> batch;
    uint64_t seen = 0;
    {
      std::lock_guard lock(j.queue_mu);
      batch.swap(j.queue);
      seen = j.committed_seq;
    }
    journeys::Effects fx;
    std::unordered_set<uint64_t> goal_profiles;
    uint64_t merges = j.merges_applied;
    auto advance = [&](TimeMs to) {
      NoteFailure(j, Guarded("timers", [&] { j.runtime->AdvanceTo(to, &fx); }));
    };
    for (auto& item : batch) {
      if (item.merge) {
        const identity::MergeRecord& mr = *item.merge;
        if (mr.ordinal <= merges) continue;  // applied before a restart
        const TimeMs at = std::min(mr.at, now);
        advance(at - 1);
        NoteFailure(
            j, Guarded("an identity merge", [&] { j.runtime->Merge(mr.from, mr.to, at, &fx); }));
        merges = mr.ordinal;
        continue;
      }
      if (!item.segment_changed.empty()) {
        advance(now);
        NoteFailure(j, Guarded("a segment change",
                               [&] { j.runtime->SegmentChanged(item.segment_changed, now, &fx); }));
        continue;
      }
      const journeys::InputEvent& e = item.event;
      // Timers due before the event fire first, but never ahead of the clock: an event stamped in
      // the future (a client's wrong clock) must not fire other profiles' timers early.
      advance(std::min(e.timestamp, now) - 1);
      std::string journey;
      if (Status s = HandleEvent(j, e, &fx, &journey); !s.ok()) {
        SP_RETURN_IF_ERROR(SetAside(m, j, e, journey, s));
        continue;
      }
      if (j.goal_events.count(e.name) != 0) goal_profiles.insert(e.profile.value());
    }
    advance(now);
    const bool idle = batch.empty() && fx.empty();
    Status persisted;
    SP_RETURN_IF_ERROR(Guarded("storing the journeys' effects",
                               [&] { persisted = Persist(m, j, fx, seen, merges); }));
    SP_RETURN_IF_ERROR(persisted);
    Status credited;
    NoteFailure(
        j, Guarded("goal credits", [&] { credited = RecordGoalCredits(m, j, goal_profiles); }));
    SP_RETURN_IF_ERROR(credited);
    if (idle) return Status::Ok();
  }
  return Status::Internal(
      "journeys: events keep causing events (more than 1000 rounds); check for "
      "journeys that trigger each other");
}

void ThreadLoop(Engine::Impl* m) {
  JourneysPart& j = *m->journeys;
  for (;;) {
    TimeMs next_due = 0;
    {
      std::lock_guard runtime_lock(j.mu);  // never held while taking queue_mu the other way round
      next_due = j.runtime->NextDue();
    }
    {
      std::unique_lock lock(j.queue_mu);
      TimeMs now = m->clock->NowMs();
      auto wait = std::chrono::milliseconds(200);
      if (next_due != 0 && next_due > now)
        wait = std::min(wait, std::chrono::milliseconds(next_due - now));
      if (next_due != 0 && next_due <= now) wait = std::chrono::milliseconds(0);
      j.queue_cv.wait_for(lock, wait, [&j] { return j.stop || !j.queue.empty(); });
      if (j.stop) return;
    }
    std::lock_guard lock(j.mu);
    Status s = Drain(*m, j, m->clock->NowMs());
    if (!s.ok()) spdlog::error("journeys: {}", s.ToString());
  }
}

}  // namespace

Status Engine::Impl::OpenJourneys() {
  journeys = std::make_unique<JourneysPart>();
  JourneysPart& j = *journeys;
  j.env = std::make_unique<EngineEnvironment>(*this);
  journeys::RuntimeOptions ro;
  ro.frequency_cap_per_day = FrequencyCap(*this);
  SP_ASSIGN_OR_RETURN(ro.system_id_key, SystemIdKey(*this));
  j.runtime = std::make_unique<journeys::Runtime>(j.env.get(), ro);
  // Every version of every journey (people inside old versions finish on them).
  SP_ASSIGN_OR_RETURN(auto latest, store().definitions().List(store::DefinitionKind::kJourney));
  auto refs = journeys::References{};  // stored definitions were validated when applied
  for (const auto& rec : latest) {
    SP_ASSIGN_OR_RETURN(auto history,
                        store().definitions().History(store::DefinitionKind::kJourney, rec.id));
    for (const auto& v : history) {
      auto def = journeys::ParseJourneyDefinition(v.body, refs);
      if (!def.ok()) {
        spdlog::error("journey {} version {} no longer parses: {}", v.id, v.version,
                      def.status().ToString());
        continue;
      }
      KeepGoal(j, *def);
      j.runtime->AddVersion(std::make_shared<journeys::JourneyDefinition>(std::move(*def)),
                            v.version);
    }
  }
  Status s;
  // A record that does not read (a throw from parsing it) fails the open with its reason, never
  // the process.
  SP_RETURN_IF_ERROR(Guarded("reading the journeys' state", [&] {
    s = store().db().Scan(
        store::Cf::kJourneys, "", "", [&](std::string_view k, std::string_view v) {
          if (k == kCursorKey) {
            j.cursor = std::stoull(std::string(v));
          } else if (k == kMergesKey) {
            j.merges_applied = std::stoull(std::string(v));
          } else if (!k.empty() && k[0] == 'j') {
            j.runtime->RestoreStatus(std::string(k.substr(1)),
                                     journeys::JourneyStatusFromJson(json::parse(v)));
          } else if (!k.empty() && k[0] == 'p') {
            j.runtime->RestoreState(ProfileOfKey(k),
                                    journeys::ProfileStateFromJson(json::parse(v)));
          }
          return true;
        });
  }));
  SP_RETURN_IF_ERROR(s);
  j.runtime->Refresh();
  RefreshFilter(j);
  // Catch up with merges and events committed after the cursor (a crash, or an import by another
  // process): the merges first, since the events are filed under today's profiles.
  for (identity::MergeRecord& mr : profiles->MergesAfter(j.merges_applied))
    j.queue.push_back({{}, std::move(mr), {}});
  j.merges_queued = profiles->merge_count();
  if (j.any_live || !j.goals.empty()) {
    SP_RETURN_IF_ERROR(store().ScanEvents(j.cursor, [&](const Event& e) {
      if (j.interesting.count(e.type == EventType::kTrack ? e.event : "") != 0 ||
          (e.type == EventType::kIdentify && j.interested_in_identify)) {
        j.queue.push_back({InputOf(e, profiles->ProfileOf(e.PrimaryIdentity())), std::nullopt, {}});
      }
      j.committed_seq = std::max(j.committed_seq, e.seq);
      return true;
    }));
  }
  j.committed_seq = std::max(j.committed_seq, store().LastSeq());
  Impl* self = this;
  j.thread = std::thread([self] { ThreadLoop(self); });
  return Status::Ok();
}

void Engine::Impl::CloseJourneys() {
  if (!journeys) return;
  {
    std::lock_guard lock(journeys->queue_mu);
    journeys->stop = true;
  }
  journeys->queue_cv.notify_all();
  if (journeys->thread.joinable()) journeys->thread.join();
}

void Engine::Impl::OnCommitted(const std::vector<Event>& events) {
  if (!journeys) return;
  JourneysPart& j = *journeys;
  bool pushed = false;
  {
    std::lock_guard lock(j.queue_mu);
    // This commit's merges go before its events, which are already filed under the merged profile.
    if (profiles->merge_count() > j.merges_queued) {
      for (identity::MergeRecord& mr : profiles->MergesAfter(j.merges_queued)) {
        j.merges_queued = mr.ordinal;
        j.queue.push_back({{}, std::move(mr), {}});
        pushed = true;
      }
    }
    for (const Event& e : events) {
      if (e.seq == 0) continue;
      j.committed_seq = std::max(j.committed_seq, e.seq);
      bool wanted = e.type == EventType::kTrack
                        ? j.interesting.count(e.event) != 0
                        : e.type == EventType::kIdentify && j.interested_in_identify;
      if (!wanted) continue;
      j.queue.push_back({InputOf(e, profiles->ProfileOf(e.PrimaryIdentity())), std::nullopt, {}});
      pushed = true;
    }
  }
  if (pushed) j.queue_cv.notify_one();
}

void Engine::Impl::OnSegmentChanged(std::string_view segment) {
  if (!journeys) return;
  JourneysPart& j = *journeys;
  {
    std::lock_guard lock(j.mu);
    j.runtime->Refresh();
    RefreshFilter(j);
  }
  {
    std::lock_guard lock(j.queue_mu);
    j.queue.push_back({{}, std::nullopt, std::string(segment)});
  }
  j.queue_cv.notify_one();
}

Status Engine::RunJourneysUntilIdle() {
  Impl& m = *impl_;
  std::lock_guard lock(m.journeys->mu);
  return Drain(m, *m.journeys, m.clock->NowMs());
}

// ---- definitions and lifecycle
// ------------------------------------------------------------------------

Result<json> Engine::Impl::ApplyJourney(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(journeys::JourneyDefinition def,
                      journeys::ParseJourneyDefinition(text, JourneyReferences(*this)));
  JourneysPart& j = *journeys;
  std::lock_guard lock(j.mu);
  SP_ASSIGN_OR_RETURN(json out, StoreDefinition(store::DefinitionKind::kJourney, def.id, text,
                                                note.empty() ? def.note : note));
  const uint64_t version = out["version"].get<uint64_t>();
  const std::string id = def.id;
  KeepGoal(j, def);
  j.runtime->AddVersion(std::make_shared<journeys::JourneyDefinition>(std::move(def)), version);
  journeys::Effects fx;
  j.runtime->Upgrade(id, version, &fx);  // a live journey takes the edit for new entries
  fx.dirty_journeys.insert(id);
  SP_RETURN_IF_ERROR(Persist(*this, j, fx, 0));
  RefreshFilter(j);
  const journeys::JourneyStatus* st = j.runtime->StatusOf(id);
  out["state"] = st ? st->state : journeys::Lifecycle::kDraft;
  return out;
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

Result<json> Engine::Impl::ApplySettings(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(int cap, ParseSettingsCap(text));
  json body = {{"kind", "settings"}, {"id", "global"}, {"frequency_cap", {{"per_day", cap}}}};
  SP_ASSIGN_OR_RETURN(
      json out, StoreDefinition(store::DefinitionKind::kSettings, "global", body.dump(), note));
  std::lock_guard lock(journeys->mu);
  journeys->runtime->SetFrequencyCap(cap);
  return out;
}

Result<json> Engine::SetJourneyState(std::string_view id_view, std::string_view state) {
  Impl& m = *impl_;
  JourneysPart& j = *m.journeys;
  std::string id(id_view);
  std::lock_guard lock(j.mu);
  if (!j.runtime->Definition(id, 0))
    return Status::NotFound(fmt::format("journey '{}' does not exist; apply it first", id));
  // Everything committed so far is handled first, so the change takes effect from now on.
  SP_RETURN_IF_ERROR(Drain(m, j, m.clock->NowMs()));
  journeys::Effects fx;
  if (state == "live") {
    SP_RETURN_IF_ERROR(j.runtime->Start(id, m.clock->NowMs(), &fx));
  } else if (state == "stopped") {
    SP_RETURN_IF_ERROR(j.runtime->Stop(id, m.clock->NowMs(), &fx));
  } else {
    return Status::InvalidArgument(
        fmt::format("state: '{}' is not a state you can set; use live or stopped", state));
  }
  fx.dirty_journeys.insert(id);
  SP_RETURN_IF_ERROR(Persist(m, j, fx, 0));
  RefreshFilter(j);
  const journeys::JourneyStatus* st = j.runtime->StatusOf(id);
  return json{{"id", id},
              {"state", st->state},
              {"version", st->live_version},
              {"since", FormatIso8601(st->state == journeys::Lifecycle::kLive ? st->live_since
                                                                              : st->ended_at)}};
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
  SP_ASSIGN_OR_RETURN(auto records, m.store().definitions().List(store::DefinitionKind::kJourney));
  json out = json::array();
  for (const auto& r : records) {
    json row = {{"id", r.id},       {"version", r.version}, {"state", "draft"}, {"entered", 0},
                {"in_progress", 0}, {"name", r.id},         {"goal", nullptr}};
    {
      std::lock_guard lock(m.journeys->mu);
      auto def = m.journeys->runtime->Definition(r.id, r.version);
      if (def) row["name"] = def->name;
      if (const journeys::JourneyStatus* st = m.journeys->runtime->StatusOf(r.id)) {
        row["state"] = st->state;
        row["live_version"] = st->live_version;
        row["entered"] = st->entered;
        row["in_progress"] = st->in_progress;
        row["completed"] = st->completed;
      }
    }
    auto tile = GoalTile(m, r.id);
    if (tile.ok()) row["goal"] = *tile;
    out.push_back(std::move(row));
  }
  return json{{"journeys", out}};
}

Result<json> Engine::Journey(std::string_view id_view) const {
  const Impl& m = *impl_;
  std::string id(id_view);
  SP_ASSIGN_OR_RETURN(auto history,
                      m.store().definitions().History(store::DefinitionKind::kJourney, id));
  if (history.empty()) return Status::NotFound(fmt::format("journey '{}' does not exist", id));
  std::lock_guard lock(m.journeys->mu);
  auto def = m.journeys->runtime->Definition(id, 0);
  if (!def) return Status::NotFound(fmt::format("journey '{}' does not parse; apply it again", id));
  journeys::JourneyStatus st;
  if (const journeys::JourneyStatus* s = m.journeys->runtime->StatusOf(id)) st = *s;
  json versions = json::array();
  for (const auto& v : history)
    versions.push_back({{"version", v.version}, {"note", v.note}, {"at", FormatIso8601(v.at)}});
  json entry = {{"reentry", journeys::ReentryText(def->entry)}};
  if (def->entry.trigger) {
    entry["event"] = def->entry.trigger->event;
  } else {
    entry["segment"] = def->entry.segment;
    entry["join_later"] = def->entry.join_later;
  }
  json out = {{"id", id},
              {"name", def->name},
              {"state", st.state},
              {"version", history.back().version},
              {"live_version", st.live_version},
              {"versions", versions},
              {"entry", entry},
              {"exclude", def->exclude},
              {"suppress", def->suppress},
              {"listening_window", def->listening_window / 1000},
              {"holdout_percent", def->holdout_percent},
              {"steps", StepAnalyticsJson(*def, st)},
              {"totals", JourneyTotals(st)},
              {"goal", nullptr}};
  // The goal as parsed (typed values: a percent target is a number), as the goal report shows it.
  if (auto g = goals::ParseGoalJson(def->goal, "goal"); !def->goal.is_null() && g.ok())
    out["goal"] = goals::ToJson(*g);
  if (def->start) out["start"] = FormatIso8601(*def->start);
  if (def->end) out["end"] = FormatIso8601(*def->end);
  if (st.live_since) out["live_since"] = FormatIso8601(st.live_since);
  return out;
}

}  // namespace signpost
