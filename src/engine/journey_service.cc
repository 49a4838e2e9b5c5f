// JourneyService: the live runtime (its input from the commit thread, its thread, durable state),
// journey definitions and lifecycle, and the journeys' views. The environment the runtime reads
// profiles through (JourneyEnvironment) is in engine_journeys.cc; replay (ReplayService) in
// engine_replay.cc; goals in the GoalService.
#include "engine/journey_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/json_text.h"
#include "base/system_events.h"
#include "base/time.h"
#include "engine/definition_records.h"
#include "engine/engine_journeys.h"
#include "goals/goal_definition.h"
#include "journeys/journey_definition.h"
#include "store/db.h"
#include "store/journey_records.h"

namespace signpost::engine {

using nlohmann::json;
namespace se = system_events;

namespace {

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

}  // namespace

void JourneyService::RefreshFilter() {
  auto [names, identify] = runtime_->Interests();
  bool any_live = false;
  for (const auto& id : runtime_->JourneyIds()) {
    const journeys::JourneyStatus* st = runtime_->StatusOf(id);
    any_live = any_live || (st && st->state == journeys::Lifecycle::kLive);
  }
  for (const auto& name : goal_events_) names.insert(name);
  MutexLock lock(queue_mu_);
  interesting_ = std::move(names);
  interested_in_identify_ = identify;
  any_live_ = any_live;
}

void JourneyService::KeepGoal(const journeys::JourneyDefinition& def) {
  if (def.goal.is_null()) {
    goals_.erase(def.id);
  } else if (auto g = goals::ParseGoalJson(def.goal, "goal"); g.ok()) {
    goals_[def.id] = goals::JourneyGoal{def.id, *g, def.listening_window};
  }
  goal_events_.clear();
  for (const auto& [id, jg] : goals_) {
    if (jg.goal.met_when == goals::MetWhenKind::kEvent) {
      goal_events_.insert(jg.goal.trigger.event);
    } else {
      goal_events_.insert(std::string(se::kMessageOpened));
      goal_events_.insert(std::string(se::kMessageClicked));
    }
  }
}

// Makes `fx` durable (see the top of journey_service.h). Not on the commit thread.
Status JourneyService::Persist(journeys::Effects& fx, uint64_t cursor, uint64_t merges) {
  if (!fx.events.empty()) {
    SP_ASSIGN_OR_RETURN(IngestOutcome out, events_.RecordSystemEvents(std::move(fx.events)));
    (void)out;
  }
  if (fx.dirty_profiles.empty() && fx.dirty_journeys.empty() && fx.messages.empty() &&
      cursor <= cursor_ && merges <= merges_applied_)
    return Status::Ok();
  store::Batch batch = store_.db().NewBatch();
  const store::JourneyRecords records(&store_.db());
  for (uint64_t pid : fx.dirty_profiles) {
    const journeys::ProfileState* st = runtime_->State(ProfileId(pid));
    if (st) {
      records.PutProfileState(batch, ProfileId(pid), journeys::ToJson(*st).dump());
    } else {
      records.DeleteProfileState(batch, ProfileId(pid));
    }
  }
  for (const auto& id : fx.dirty_journeys) {
    if (const journeys::JourneyStatus* st = runtime_->StatusOf(id))
      records.PutJourneyStatus(batch, id, journeys::ToJson(*st).dump());
  }
  for (const auto& msg : fx.messages) delivery_.Enqueue(batch, msg);
  if (cursor > cursor_) {
    records.PutCursor(batch, cursor);
    cursor_ = cursor;
  }
  if (merges > merges_applied_) {
    records.PutMerges(batch, merges);
    merges_applied_ = merges;
  }
  SP_RETURN_IF_ERROR(store_.db().Write(batch));
  if (!fx.messages.empty()) delivery_.Notify();
  return Status::Ok();
}

// One event through the runtime. An error means the event was not handled (its partial effects
// are dropped) and must be set aside; `journey` names the journey when known.
Status JourneyService::HandleEvent(const journeys::InputEvent& e, journeys::Effects* fx,
                                   JourneyId* journey) {
  *journey = JourneyId();
  if (fault_for_testing_) {
    const std::function<void(const journeys::InputEvent&)> fault = fault_for_testing_;
    SP_RETURN_IF_ERROR(Guarded("handling the event", [&] { fault(e); }));
  }
  return runtime_->TryProcess(e, fx, journey);
}

// A poison event: counted, logged and kept as a dead letter of the journeys, so the runtime goes on
// past it (the cursor moves over it with the rest of the round; a restart never handles it again).
Status JourneyService::SetAside(const journeys::InputEvent& e, const JourneyId& journey,
                                const Status& why) {
  ++poison_events_;
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
  return store_.AddDeadLetters({r}, kJourneysDeadLetterSource, clock_.NowMs()).status();
}

// Logs and counts a failure outside one event's handling (timers, merges, segment changes): the
// runtime goes on with the rest.
void JourneyService::NoteFailure(const Status& s) {
  if (s.ok()) return;
  ++poison_events_;
  spdlog::error("journeys: {}", s.ToString());
}

// No input can make it throw: a failing event is set aside (SetAside), a failing timer, merge or
// segment change is logged and counted; only a failing store write is returned.
Status JourneyService::Drain(TimeMs now, TimeMs timers_through) {
  timers_through = std::min(timers_through, now);
  for (int round = 0; round < 1000; ++round) {
    std::deque<JourneyInput> batch;
    uint64_t seen = 0;
    {
      MutexLock lock(queue_mu_);
      batch.swap(queue_);
      seen = committed_seq_;
    }
    journeys::Effects fx;
    std::unordered_set<uint64_t> goal_profiles;
    uint64_t merges = merges_applied_;
    journeys::Runtime& runtime = *runtime_;
    auto advance = [&](TimeMs to) {
      NoteFailure(Guarded("timers", [&] { runtime.AdvanceTo(to, &fx); }));
    };
    for (auto& item : batch) {
      if (item.merge) {
        const identity::MergeRecord& mr = *item.merge;
        if (mr.ordinal <= merges) continue;  // applied before a restart
        const TimeMs at = std::min(mr.at, now);
        advance(at - 1);
        NoteFailure(Guarded("an identity merge", [&] { runtime.Merge(mr.from, mr.to, at, &fx); }));
        merges = mr.ordinal;
        continue;
      }
      if (!item.segment_changed.empty()) {
        advance(timers_through);
        NoteFailure(Guarded("a segment change",
                            [&] { runtime.SegmentChanged(item.segment_changed, now, &fx); }));
        continue;
      }
      const journeys::InputEvent& e = item.event;
      // Timers due before the event fire first, but never ahead of the clock: an event stamped in
      // the future (a client's wrong clock) must not fire other profiles' timers early.
      advance(std::min(std::min(e.timestamp, now) - 1, timers_through));
      JourneyId journey;
      if (Status s = HandleEvent(e, &fx, &journey); !s.ok()) {
        SP_RETURN_IF_ERROR(SetAside(e, journey, s));
        continue;
      }
      if (goal_events_.count(e.name) != 0) goal_profiles.insert(e.profile.value());
    }
    advance(timers_through);
    const bool idle = batch.empty() && fx.empty();
    Status persisted;
    SP_RETURN_IF_ERROR(Guarded("storing the journeys' effects", [&]() NO_THREAD_SAFETY_ANALYSIS {
      persisted = Persist(fx, seen, merges);
    }));
    SP_RETURN_IF_ERROR(persisted);
    Status credited;
    NoteFailure(
        Guarded("goal credits", [&] { credited = hooks_.record_goal_credits(goal_profiles); }));
    SP_RETURN_IF_ERROR(credited);
    NoteFailure(hooks_.update_splits());  // the profiles this round's events moved in a split
    if (idle) return Status::Ok();
  }
  return Status::Internal(
      "journeys: events keep causing events (more than 1000 rounds); check for "
      "journeys that trigger each other");
}

// The thread fires a timer only once its time has passed (due < now), never at exactly its due
// time: an event stamped exactly at a wait's timeout counts as in time (the runtime's tie rule),
// and at that instant it may still be on its way to the queue. Callers that know every input up to
// now is in (RunUntilIdle) fire timers due at now as well.
void JourneyService::ThreadLoop() {
  TimeMs drained_at = -1;  // the clock's time at the last drain
  for (;;) {
    TimeMs next_due = 0;
    {
      MutexLock runtime_lock(mu_);  // never held while taking queue_mu_ the other way round
      next_due = runtime_->NextDue();
    }
    {
      MutexLock lock(queue_mu_);
      TimeMs now = clock_.NowMs();
      auto wait = std::chrono::milliseconds(200);
      if (next_due != 0 && next_due < now) {
        wait = std::chrono::milliseconds(0);
      } else if (next_due != 0 && now != drained_at) {
        // Due now or later: wake just after it (a clock that stands still at the due time, as a
        // test's does, waits for the next input instead of spinning).
        wait = std::min(wait, std::chrono::milliseconds(next_due + 1 - now));
      }
      if (!stop_ && queue_.empty() && wait.count() > 0) queue_cv_.WaitFor(lock, wait);
      if (stop_) return;
    }
    MutexLock lock(mu_);
    const TimeMs now = clock_.NowMs();
    Status s = Drain(now, now - 1);
    drained_at = now;
    if (!s.ok()) spdlog::error("journeys: {}", s.ToString());
  }
}

JourneyService::JourneyService(store::Store& store, const identity::ProfileStore& profiles,
                               EventService& events, DeliveryService& delivery,
                               const SettingsService& settings, const Clock& clock, Hooks hooks)
    : store_(store),
      profiles_(profiles),
      events_(events),
      delivery_(delivery),
      settings_(settings),
      clock_(clock),
      hooks_(std::move(hooks)) {}

Result<std::unique_ptr<JourneyService>> JourneyService::Open(
    store::Store& store, const identity::ProfileStore& profiles, EventService& events,
    DeliveryService& delivery, const SettingsService& settings, const Clock& clock, Hooks hooks) {
  std::unique_ptr<JourneyService> j(
      new JourneyService(store, profiles, events, delivery, settings, clock, std::move(hooks)));
  SP_RETURN_IF_ERROR(j->Load());
  return j;
}

Status JourneyService::Start() {
  {
    MutexLock lock(mu_);
    // The split counts, from every stored event (split_counters.h).
    SP_RETURN_IF_ERROR(hooks_.load_splits());
  }
  thread_ = std::thread([this] { ThreadLoop(); });
  return Status::Ok();
}

Status JourneyService::Load() {
  MutexLock lock(mu_);
  env_ = hooks_.environment(*this);
  journeys::RuntimeOptions ro;
  ro.frequency_cap_per_day = FrequencyCap();
  store::JourneyRecords records(&store_.db());
  SP_ASSIGN_OR_RETURN(ro.system_id_key, records.GetOrCreateSystemIdKey());
  runtime_ = std::make_unique<journeys::Runtime>(env_.get(), ro);
  // Every version of every journey (people inside old versions finish on them).
  SP_ASSIGN_OR_RETURN(auto latest, store_.definitions().List(store::DefinitionKind::kJourney));
  auto refs = journeys::References{};  // stored definitions were validated when applied
  for (const auto& rec : latest) {
    SP_ASSIGN_OR_RETURN(auto history,
                        store_.definitions().History(store::DefinitionKind::kJourney, rec.id));
    for (const auto& v : history) {
      auto def = journeys::ParseJourneyDefinition(v.body, refs);
      if (!def.ok()) {
        spdlog::error("journey {} version {} no longer parses: {}", v.id, v.version,
                      def.status().ToString());
        continue;
      }
      KeepGoal(*def);
      runtime_->AddVersion(std::make_shared<journeys::JourneyDefinition>(std::move(*def)),
                           v.version);
    }
  }
  Status s;
  uint64_t cursor = 0, merges = 0;
  journeys::Runtime& runtime = *runtime_;
  // A record that does not read (a throw from parsing it) fails the open with its reason, never
  // the process.
  SP_RETURN_IF_ERROR(Guarded("reading the journeys' state", [&] {
    s = records.Load({
        .cursor = [&](uint64_t seq) { cursor = seq; },
        .journey_status =
            [&](const JourneyId& id, std::string_view v) {
              runtime.RestoreStatus(id, journeys::JourneyStatusFromJson(json::parse(v)));
            },
        .merges = [&](uint64_t ordinal) { merges = ordinal; },
        .profile_state =
            [&](ProfileId p, std::string_view v) {
              runtime.RestoreState(p, journeys::ProfileStateFromJson(json::parse(v)));
            },
    });
  }));
  SP_RETURN_IF_ERROR(s);
  cursor_ = cursor;
  merges_applied_ = merges;
  runtime_->Refresh();
  RefreshFilter();
  // Catch up with merges and events committed after the cursor (a crash, or an import by another
  // process): the merges first, since the events are filed under today's profiles.
  const bool catch_up = !goals_.empty();
  MutexLock queue_lock(queue_mu_);
  for (identity::MergeRecord& mr : profiles_.MergesAfter(merges_applied_)) {
    splits_.Touch(mr.from, true);
    splits_.Touch(mr.to, true);
    queue_.push_back({{}, std::move(mr), {}});
  }
  merges_queued_ = profiles_.merge_count();
  if (any_live_ || catch_up) {
    SP_RETURN_IF_ERROR(store_.ScanEvents(cursor_, [&](const Event& e) NO_THREAD_SAFETY_ANALYSIS {
      // (runs inside this scan, with queue_mu_ held)
      if (interesting_.count(e.type == EventType::kTrack ? e.event : "") != 0 ||
          (e.type == EventType::kIdentify && interested_in_identify_)) {
        queue_.push_back({InputOf(e, profiles_.ProfileOf(e.PrimaryIdentity())), std::nullopt, {}});
      }
      committed_seq_ = std::max(committed_seq_, e.seq);
      return true;
    }));
  }
  committed_seq_ = std::max(committed_seq_, store_.LastSeq());
  return Status::Ok();
}

JourneyService::~JourneyService() { Stop(); }

void JourneyService::Stop() {
  {
    MutexLock lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void JourneyService::OnCommitted(const std::vector<Event>& committed) {
  bool pushed = false;
  {
    MutexLock lock(queue_mu_);
    // This commit's merges go before its events, which are already filed under the merged profile.
    if (profiles_.merge_count() > merges_queued_) {
      for (identity::MergeRecord& mr : profiles_.MergesAfter(merges_queued_)) {
        merges_queued_ = mr.ordinal;
        splits_.Touch(mr.from, true);
        splits_.Touch(mr.to, true);
        queue_.push_back({{}, std::move(mr), {}});
        pushed = true;
      }
    }
    for (const Event& e : committed) {
      if (e.seq == 0) continue;
      committed_seq_ = std::max(committed_seq_, e.seq);
      bool wanted = e.type == EventType::kTrack
                        ? interesting_.count(e.event) != 0
                        : e.type == EventType::kIdentify && interested_in_identify_;
      // A journey system event or an event the journeys or goals react to can move the profile in a
      // split: the split counts re-read it after this round (split_counters.h).
      if (e.type == EventType::kTrack && splits_.active() &&
          (wanted || SplitCounters::CanMove(e.event)))
        splits_.Touch(profiles_.ProfileOf(e.PrimaryIdentity()));
      if (!wanted) continue;
      queue_.push_back({InputOf(e, profiles_.ProfileOf(e.PrimaryIdentity())), std::nullopt, {}});
      pushed = true;
    }
  }
  if (pushed) queue_cv_.NotifyOne();
}

void JourneyService::OnSegmentChanged(const SegmentId& segment) {
  {
    MutexLock lock(mu_);
    runtime_->Refresh();
    RefreshFilter();
  }
  {
    MutexLock lock(queue_mu_);
    queue_.push_back({{}, std::nullopt, segment});
  }
  queue_cv_.NotifyOne();
}

Status JourneyService::RunUntilIdle() {
  MutexLock lock(mu_);
  return Drain(clock_.NowMs());
}

std::vector<ProfileId> JourneyService::ProfilesIn(const JourneyId& journey) const {
  MutexLock lock(mu_);
  return runtime_->ProfilesIn(journey);
}

void JourneyService::SetFaultForTesting(std::function<void(const journeys::InputEvent&)> fault) {
  MutexLock lock(mu_);
  fault_for_testing_ = std::move(fault);
}

JourneyService::Metrics JourneyService::metrics() const {
  Metrics out;
  {
    MutexLock lock(queue_mu_);
    out.queued = queue_.size();
    out.committed = committed_seq_;
  }
  {
    MutexLock lock(mu_);
    out.cursor = cursor_;
    out.profiles = runtime_->ProfileCount();
    for (const auto& id : runtime_->JourneyIds()) {
      if (const journeys::JourneyStatus* st = runtime_->StatusOf(id))
        out.statuses.emplace_back(id, *st);
    }
  }
  out.poison_events = poison_events_.load();
  return out;
}

int JourneyService::FrequencyCap() const { return settings_.Current().frequency_cap_per_day; }

// ---- definitions and lifecycle
// ------------------------------------------------------------------------

Result<AppliedDefinition> JourneyService::Apply(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(journeys::JourneyDefinition def,
                      journeys::ParseJourneyDefinition(text, hooks_.references()));
  MutexLock lock(mu_);
  SP_ASSIGN_OR_RETURN(AppliedDefinition out,
                      StoreDefinition(store_, clock_.NowMs(), store::DefinitionKind::kJourney,
                                      def.id.value(), text, note.empty() ? def.note : note));
  const uint64_t version = out.version;
  const JourneyId id = def.id;
  KeepGoal(def);
  runtime_->AddVersion(std::make_shared<journeys::JourneyDefinition>(std::move(def)), version);
  journeys::Effects fx;
  runtime_->Upgrade(id, version, &fx);  // a live journey takes the edit for new entries
  fx.dirty_journeys.insert(id);
  SP_RETURN_IF_ERROR(Persist(fx, 0));
  RefreshFilter();
  const journeys::JourneyStatus* st = runtime_->StatusOf(id);
  out.state = std::string(JourneyLifecycleName(st ? st->state : journeys::Lifecycle::kDraft));
  return out;
}

void JourneyService::OnSettings(const Settings& settings) {
  MutexLock lock(mu_);
  runtime_->SetFrequencyCap(settings.frequency_cap_per_day);
}

Result<JourneyStateChange> JourneyService::SetState(const JourneyId& id, std::string_view state) {
  MutexLock lock(mu_);
  if (!runtime_->Definition(id, 0))
    return Status::NotFound(fmt::format("journey '{}' does not exist; apply it first", id));
  // Everything committed so far is handled first, so the change takes effect from now on.
  SP_RETURN_IF_ERROR(Drain(clock_.NowMs()));
  journeys::Effects fx;
  if (state == "live") {
    SP_RETURN_IF_ERROR(runtime_->Start(id, clock_.NowMs(), &fx));
  } else if (state == "stopped") {
    SP_RETURN_IF_ERROR(runtime_->Stop(id, clock_.NowMs(), &fx));
  } else {
    return Status::InvalidArgument(
        fmt::format("state: '{}' is not a state you can set; use live or stopped", state));
  }
  fx.dirty_journeys.insert(id);
  SP_RETURN_IF_ERROR(Persist(fx, 0));
  RefreshFilter();
  const journeys::JourneyStatus* st = runtime_->StatusOf(id);
  return JourneyStateChange{
      .id = id,
      .state = st->state,
      .version = st->live_version,
      .since = st->state == journeys::Lifecycle::kLive ? st->live_since : st->ended_at};
}

Result<JourneyList> JourneyService::List() const {
  SP_ASSIGN_OR_RETURN(auto records, store_.definitions().List(store::DefinitionKind::kJourney));
  JourneyList out;
  for (const auto& r : records) {
    JourneyRow row;
    row.id = JourneyId(r.id);
    row.version = r.version;
    row.name = r.id;
    {
      MutexLock lock(mu_);
      auto def = runtime_->Definition(row.id, r.version);
      if (def) row.name = def->name;
      if (const journeys::JourneyStatus* st = runtime_->StatusOf(row.id)) {
        row.state = st->state;
        row.live_version = st->live_version;
        row.entered = st->entered;
        row.in_progress = st->in_progress;
        row.completed = st->completed;
      }
    }
    out.journeys.push_back(std::move(row));
  }
  return out;
}

Result<JourneyView> JourneyService::Get(const JourneyId& id) const {
  SP_ASSIGN_OR_RETURN(auto history,
                      store_.definitions().History(store::DefinitionKind::kJourney, id.value()));
  if (history.empty()) return Status::NotFound(fmt::format("journey '{}' does not exist", id));
  MutexLock lock(mu_);
  auto def = runtime_->Definition(id, 0);
  if (!def) return Status::NotFound(fmt::format("journey '{}' does not parse; apply it again", id));
  journeys::JourneyStatus st;
  if (const journeys::JourneyStatus* s = runtime_->StatusOf(id)) st = *s;
  JourneyView out;
  out.id = id;
  out.name = def->name;
  out.state = st.state;
  out.version = history.back().version;
  out.live_version = st.live_version;
  for (const auto& v : history) out.versions.push_back({v.version, v.note, v.at});
  out.entry.reentry = journeys::ReentryText(def->entry);
  if (def->entry.trigger) {
    out.entry.event = def->entry.trigger->event;
  } else {
    out.entry.segment = def->entry.segment;
    out.entry.join_later = def->entry.join_later;
  }
  out.exclude = def->exclude;
  out.suppress = def->suppress;
  out.listening_window = def->listening_window;
  out.holdout_percent = def->holdout_percent;
  out.steps = StepViews(*def, st);
  out.totals = TotalsOf(st);
  // The goal as parsed (typed values: a percent target is a number), as the goal report shows it.
  if (auto g = goals::ParseGoalJson(def->goal, "goal"); !def->goal.is_null() && g.ok())
    out.goal = goals::View(*g);
  out.start = def->start;
  out.end = def->end;
  if (st.live_since) out.live_since = st.live_since;
  return out;
}

// ---- privacy: one person ---------------------------------------------------------------------

Result<PersonForgotten> JourneyService::ForgetPerson(const Person& person) {
  PersonForgotten out;
  MutexLock lock(mu_);  // the journey thread is between rounds: the queue is all it has not seen
  {
    MutexLock queue_lock(queue_mu_);
    const auto before = queue_.size();
    std::erase_if(queue_, [&](const JourneyInput& item) {
      return !item.merge && item.segment_changed.empty() && item.event.profile == person.profile;
    });
    out.queued_inputs = before - queue_.size();
  }
  journeys::Effects fx;
  const bool had_state = runtime_->State(person.profile) != nullptr;
  out.journey_exits = runtime_->Forget(person.profile, &fx).size();
  out.journey_states = had_state ? 1 : 0;
  splits_.Forget(person.profile);
  if (!fx.empty()) SP_RETURN_IF_ERROR(Persist(fx, 0));
  return out;
}

void JourneyService::ExportPerson(const Person& person, PersonExport* out) const {
  MutexLock lock(mu_);
  const journeys::ProfileState* st = runtime_->State(person.profile);
  if (st == nullptr) return;
  for (const auto& [id, js] : st->journeys) {
    PersonJourney pj;
    pj.journey = id;
    pj.entries = js.entries;
    pj.last_entered = js.last_entered;
    pj.last_exited = js.last_exited;
    if (js.active) {
      const journeys::Instance& i = *js.active;
      pj.active = PersonJourney::Active{.entry = i.entry,
                                        .version = i.version,
                                        .step = runtime_->StepId(id, i),
                                        .entered_at = i.entered_at,
                                        .step_since = i.step_since,
                                        .due = i.due,
                                        .holdout = i.holdout,
                                        .entry_event = i.entry_event,
                                        .entry_properties = i.entry_properties,
                                        .variant = i.variant,
                                        .last_message_key = i.last_message_key,
                                        .last_opened = i.last_opened,
                                        .last_clicked = i.last_clicked};
    }
    out->journeys.push_back(std::move(pj));
  }
  out->recent_sends = st->sends;
}

}  // namespace signpost::engine
