// JourneyService: the live runtime in partitions (their input from the commit thread, their
// threads, durable state, identity merges handed over between them), journey definitions and
// lifecycle, and the journeys' views. The environment the runtime reads
// profiles through (JourneyEnvironment) is in engine_journeys.cc; replay (ReplayService) in
// engine_replay.cc; goals in the GoalService.
#include "engine/journey_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "base/json_text.h"
#include "base/prometheus_text.h"
#include "base/system_events.h"
#include "base/time.h"
#include "engine/definition_records.h"
#include "engine/engine_journeys.h"
#include "goals/goal_definition.h"
#include "journeys/journey_definition.h"
#include "journeys/partition.h"
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

// The environment of one partition's runtime: the engine's, but the members of a segment are
// only those the partition owns (a segment-entry journey's Start, or a join-later entry, enters
// each member in its own partition).
class PartitionEnvironment final : public journeys::Environment {
 public:
  PartitionEnvironment(std::unique_ptr<journeys::Environment> inner, uint32_t index, uint32_t n)
      : inner_(std::move(inner)), index_(index), n_(n) {}
  std::unique_ptr<journeys::ProfileScope> Open(ProfileId profile) override {
    return inner_->Open(profile);
  }
  journeys::SegmentDependencies DependenciesOf(const SegmentId& segment) override {
    return inner_->DependenciesOf(segment);
  }
  Result<std::vector<ProfileId>> Members(const SegmentId& segment, TimeMs at) override {
    SP_ASSIGN_OR_RETURN(std::vector<ProfileId> all, inner_->Members(segment, at));
    std::erase_if(all, [this](ProfileId p) { return journeys::PartitionOf(p, n_) != index_; });
    return all;
  }
  std::optional<std::string> SplitWinner(const JourneyId& journey, std::string_view step,
                                         TimeMs at) override {
    return inner_->SplitWinner(journey, step, at);
  }
  std::string ConsentKind(std::string_view channel) override {
    return inner_->ConsentKind(channel);
  }
  bool TrackingConsentDefault(std::string_view category) override {
    return inner_->TrackingConsentDefault(category);
  }
  journeys::ChannelChoice ChooseChannel(const journeys::ChannelQuestion& q) override {
    return inner_->ChooseChannel(q);
  }
  std::vector<std::string> TemplateFunnels(std::string_view template_id) override {
    return inner_->TemplateFunnels(template_id);
  }
  std::vector<std::string> FunnelEvents(const FunnelId& funnel) override {
    return inner_->FunnelEvents(funnel);
  }

 private:
  std::unique_ptr<journeys::Environment> inner_;
  uint32_t index_, n_;
};

// Tells the analysis that `mu` is held: the caller holds every partition's lock (AllLocked).
inline void AssumeHeld(const Mutex& mu) SIGNPOST_TSA(assert_capability(mu)) {}

// Every partition's lock, taken in index order (the order every caller that takes more than one
// uses), released in reverse.
template <class Parts>
class AllLocked {
 public:
  explicit AllLocked(const Parts& parts) NO_THREAD_SAFETY_ANALYSIS : parts_(parts) {
    for (const auto& p : parts_) p->mu.Lock();
  }
  ~AllLocked() NO_THREAD_SAFETY_ANALYSIS {
    for (auto it = parts_.rbegin(); it != parts_.rend(); ++it) (*it)->mu.Unlock();
  }
  AllLocked(const AllLocked&) = delete;
  AllLocked& operator=(const AllLocked&) = delete;

 private:
  const Parts& parts_;
};

// `into` += the counters of `from` (the lifecycle is `into`'s).
void AddCounters(journeys::JourneyStatus& into, const journeys::JourneyStatus& from) {
  into.entered += from.entered;
  into.entered_holdout += from.entered_holdout;
  into.entries += from.entries;
  into.in_progress += from.in_progress;
  into.completed += from.completed;
  into.erased += from.erased;
  for (const auto& [step, c] : from.steps) {
    journeys::StepCounters& d = into.steps[step];
    d.inflow += c.inflow;
    d.passed_on += c.passed_on;
    for (const auto& [reason, n] : c.exits) d.exits[reason] += n;
  }
}

// The lifecycle of `s` without its counters.
journeys::JourneyStatus LifecycleOf(const journeys::JourneyStatus& s) {
  journeys::JourneyStatus out;
  out.state = s.state;
  out.live_version = s.live_version;
  out.live_since = s.live_since;
  out.ended_at = s.ended_at;
  out.members_pending = s.members_pending;
  return out;
}

}  // namespace

// ---- the catalog -----------------------------------------------------------------------------

void JourneyCatalog::Add(std::shared_ptr<const journeys::JourneyDefinition> def, uint64_t version) {
  JourneyId id = def->id;
  versions_[id][version] = std::move(def);
  members_[id];
}

std::shared_ptr<const journeys::JourneyDefinition> JourneyCatalog::Definition(
    const JourneyId& id, uint64_t version) const {
  auto it = versions_.find(id);
  if (it == versions_.end() || it->second.empty()) return nullptr;
  if (version == 0) return it->second.rbegin()->second;
  auto v = it->second.find(version);
  return v == it->second.end() ? nullptr : v->second;
}

std::vector<JourneyId> JourneyCatalog::JourneyIds() const {
  std::vector<JourneyId> out;
  for (const auto& [id, v] : versions_) out.push_back(id);
  return out;
}

std::vector<ProfileId> JourneyCatalog::ProfilesIn(const JourneyId& id) const {
  std::vector<ProfileId> out;
  auto it = members_.find(id);
  if (it == members_.end()) return out;
  for (uint64_t p : it->second) out.push_back(ProfileId(p));
  std::sort(out.begin(), out.end());
  return out;
}

bool JourneyCatalog::In(ProfileId profile, const JourneyId& id) const {
  auto it = members_.find(id);
  return it != members_.end() && it->second.count(profile.value()) != 0;
}

void JourneyCatalog::Note(ProfileId profile, const journeys::ProfileState* state) {
  for (auto& [id, members] : members_) {
    if (state != nullptr && state->journeys.count(id) != 0) {
      members.insert(profile.value());
    } else {
      members.erase(profile.value());
    }
  }
}

JourneyService::Partition& JourneyService::PartitionOf(ProfileId profile) const {
  return *parts_[journeys::PartitionOf(profile, partitions())];
}

void JourneyService::RefreshFilter() {
  Partition& p0 = *parts_[0];
  MutexLock lock(p0.mu);
  RefreshFilterFrom(p0);
}

void JourneyService::RefreshFilterFrom(Partition& p0) {
  std::unordered_set<std::string> names;
  bool identify = false, any_live = false;
  {
    auto interests = p0.runtime->Interests();
    names = std::move(interests.first);
    identify = interests.second;
    for (const auto& id : p0.runtime->JourneyIds()) {
      const journeys::JourneyStatus* st = p0.runtime->StatusOf(id);
      any_live = any_live || (st && st->state == journeys::Lifecycle::kLive);
    }
    for (const auto& name : p0.goal_events) names.insert(name);
  }
  MutexLock lock(route_mu_);
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
}

namespace {

// The event names some goal of `goals` is met by.
std::unordered_set<std::string> GoalEventsOf(
    const std::map<JourneyId, goals::JourneyGoal, std::less<>>& goals) {
  std::unordered_set<std::string> out;
  for (const auto& [id, jg] : goals) {
    if (jg.goal.met_when == goals::MetWhenKind::kEvent) {
      out.insert(jg.goal.trigger.event);
    } else {
      out.insert(std::string(se::kMessageOpened));
      out.insert(std::string(se::kMessageClicked));
    }
  }
  return out;
}

}  // namespace

// Makes the effects durable (see the top of journey_service.h). Not on the commit thread. Each
// partition's mu is held by the caller.
Status JourneyService::Persist(std::vector<PartitionEffects> parts) {
  // Who entered what, before the system events are recorded: a split count re-reads a profile
  // those events touch (split_counters.h) and must find it inside.
  // A profile merged away into another partition: its state as handed over stays stored until
  // the survivor's partition has merged it (it deletes the record in that write), so a crash
  // between the two hands it over again at open (Load).
  for (PartitionEffects& pe : parts) {
    AssumeHeld(pe.partition->mu);
    for (const Exported& x : pe.partition->exported) {
      if (x.state) pe.fx->dirty_profiles.erase(x.from.value());
    }
  }
  {
    MutexLock lock(mu_);
    for (PartitionEffects& pe : parts) {
      Partition& p = *pe.partition;
      AssumeHeld(p.mu);
      for (uint64_t pid : pe.fx->dirty_profiles)
        catalog_.Note(ProfileId(pid), p.runtime->State(ProfileId(pid)));
    }
  }
  std::vector<Event> events;
  for (PartitionEffects& pe : parts) {
    for (Event& e : pe.fx->events) events.push_back(std::move(e));
    pe.fx->events.clear();
  }
  if (!events.empty()) {
    SP_ASSIGN_OR_RETURN(IngestOutcome out, events_.RecordSystemEvents(std::move(events)));
    (void)out;
  }
  store::Batch batch = store_.db().NewBatch();
  const store::JourneyRecords records(&store_.db());
  bool any = false, messages = false;
  for (PartitionEffects& pe : parts) {
    Partition& p = *pe.partition;
    AssumeHeld(p.mu);
    journeys::Effects& fx = *pe.fx;
    if (fx.dirty_profiles.empty() && fx.dirty_journeys.empty() && fx.messages.empty() &&
        p.exported.empty() && pe.cursor <= p.cursor && pe.merges <= p.merges_applied)
      continue;
    any = true;
    for (const Exported& x : p.exported) {
      if (x.state) records.PutProfileState(batch, x.from, journeys::ToJson(*x.state).dump());
    }
    for (uint64_t pid : fx.dirty_profiles) {
      const journeys::ProfileState* st = p.runtime->State(ProfileId(pid));
      if (st) {
        records.PutProfileState(batch, ProfileId(pid), journeys::ToJson(*st).dump());
      } else {
        records.DeleteProfileState(batch, ProfileId(pid));
      }
    }
    for (const auto& id : fx.dirty_journeys) {
      if (const journeys::JourneyStatus* st = p.runtime->StatusOf(id))
        records.PutJourneyStatus(batch, id, journeys::ToJson(*st).dump(), p.index);
    }
    for (const auto& msg : fx.messages) delivery_.Enqueue(batch, msg);
    messages = messages || !fx.messages.empty();
    if (pe.cursor > p.cursor) records.PutCursor(batch, pe.cursor, p.index);
    if (pe.merges > p.merges_applied) records.PutMerges(batch, pe.merges, p.index);
  }
  if (!any) return Status::Ok();
  SP_RETURN_IF_ERROR(store_.db().Write(batch));
  for (PartitionEffects& pe : parts) {
    Partition& p = *pe.partition;
    AssumeHeld(p.mu);
    p.cursor = std::max(p.cursor, pe.cursor);
    p.merges_applied = std::max(p.merges_applied, pe.merges);
    p.merges_durable.store(p.merges_applied);
    Publish(p);
  }
  if (messages) delivery_.Notify();
  return Status::Ok();
}

// The states this partition exported, now durable, go to the survivors' partitions.
void JourneyService::Publish(Partition& p) {
  if (p.exported.empty()) return;
  std::vector<Partition*> wake;
  {
    MutexLock lock(handoff_mu_);
    for (Exported& x : p.exported) {
      Partition& to = PartitionOf(x.into);
      // A survivor already past the merge (it applied it before a restart) takes nothing.
      if (to.merges_durable.load() >= x.ordinal) continue;
      handoffs_[x.ordinal] = std::move(x.state);
      wake.push_back(&to);
    }
  }
  p.exported.clear();
  for (Partition* to : wake) {
    {
      MutexLock lock(to->queue_mu);
      to->wake = true;
    }
    to->queue_cv.NotifyAll();
  }
}

// One event through the runtime. An error means the event was not handled (its partial effects
// are dropped) and must be set aside; `journey` names the journey when known.
Status JourneyService::HandleEvent(Partition& p, const journeys::InputEvent& e,
                                   journeys::Effects* fx, JourneyId* journey) {
  *journey = JourneyId();
  if (p.fault) {
    const std::function<void(const journeys::InputEvent&)> fault = p.fault;
    SP_RETURN_IF_ERROR(Guarded("handling the event", [&] { fault(e); }));
  }
  return p.runtime->TryProcess(e, fx, journey);
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
//
// Identity merges across partitions cannot deadlock: each partition's queue is in commit order,
// and the partition of the merged-away profile never waits for anything at its copy of a merge (it
// exports and goes on). Take the earliest merge not yet applied: everything before it in either
// partition's queue is an event or an earlier merge (applied), so its exporter reaches it and ends
// that round (durably, then publishes), and its survivor's partition then finds the state. A
// partition waiting at a merge holds no lock while it waits (it ends its round there, persisting
// the cursor of the merge's watermark), so lifecycle calls that take every partition's lock and
// drain them all (DrainAll) make progress too.
Status JourneyService::Drain(Partition& p, TimeMs now, TimeMs timers_through, bool* blocked) {
  *blocked = false;
  timers_through = std::min(timers_through, now);
  journeys::Runtime& runtime = *p.runtime;
  struct NotBusy {
    Partition& p;
    ~NotBusy() {
      MutexLock lock(p.queue_mu);
      p.busy = false;
    }
  } not_busy{p};
  for (int round = 0; round < 1000;) {
    std::deque<JourneyInput> batch;
    uint64_t seen = 0;
    bool truncated = false;  // the round takes the oldest round_items inputs; more wait
    {
      MutexLock lock(p.queue_mu);
      if (p.queue.size() <= tuning_.round_items) {
        batch.swap(p.queue);
        seen = p.committed_seq;
      } else {
        auto end = p.queue.begin() + static_cast<std::ptrdiff_t>(tuning_.round_items);
        batch.assign(std::make_move_iterator(p.queue.begin()), std::make_move_iterator(end));
        p.queue.erase(p.queue.begin(), end);
        seen = std::max(p.cursor, p.queue.front().watermark);
        truncated = true;
      }
      for (const JourneyInput& in : batch) {
        if (!in.merge && in.segment_changed.empty() && !in.spilled) --p.payloads;
      }
      p.busy = true;
      p.wake = false;
    }
    if (!truncated) ++round;
    SP_RETURN_IF_ERROR(Rehydrate(batch));
    journeys::Effects fx;
    std::unordered_set<uint64_t> goal_profiles;
    uint64_t merges = p.merges_applied;
    auto advance = [&](TimeMs to) {
      NoteFailure(Guarded("timers", [&] { runtime.AdvanceTo(to, &fx); }));
    };
    size_t i = 0;
    for (; i < batch.size(); ++i) {
      JourneyInput& item = batch[i];
      if (item.merge) {
        const identity::MergeRecord& mr = *item.merge;
        if (mr.ordinal <= merges) continue;  // applied before a restart
        const TimeMs at = std::min(mr.at, now);
        Partition& exporter = PartitionOf(mr.from);
        Partition& survivor = PartitionOf(mr.to);
        if (&exporter == &p && &survivor != &p) {
          // The merged-away profile's partition: its state goes to the survivor's once durable.
          advance(at - 1);
          std::optional<journeys::ProfileState> state;
          NoteFailure(Guarded("an identity merge", [&] { state = runtime.Export(mr.from, &fx); }));
          p.exported.push_back({mr.ordinal, mr.from, mr.to, std::move(state)});
          merges = mr.ordinal;
          continue;
        }
        std::optional<std::optional<journeys::ProfileState>> handed;
        if (&exporter != &p) {
          MutexLock lock(handoff_mu_);
          auto it = handoffs_.find(mr.ordinal);
          if (it != handoffs_.end()) {
            handed = std::move(it->second);
            handoffs_.erase(it);
          }
          if (!handed) {
            // Not handed over yet: the round ends here (see above).
            *blocked = true;
            seen = std::max(p.cursor, item.watermark);
            break;
          }
        }
        advance(at - 1);
        NoteFailure(Guarded("an identity merge", [&] {
          if (handed && *handed) runtime.Adopt(mr.from, std::move(**handed), &fx);
          runtime.Merge(mr.from, mr.to, at, &fx);
        }));
        fx.dirty_profiles.insert(mr.from.value());  // its record (handed over or not) goes
        merges = mr.ordinal;
        continue;
      }
      if (!item.segment_changed.empty()) {
        advance(timers_through);
        NoteFailure(Guarded("a segment change",
                            [&] { runtime.SegmentChanged(item.segment_changed, now, &fx); }));
        continue;
      }
      if (item.spilled) continue;  // erased since it was committed
      const journeys::InputEvent& e = item.event;
      // Timers due before the event fire first, but never ahead of the clock: an event stamped in
      // the future (a client's wrong clock) must not fire other profiles' timers early.
      advance(std::min(std::min(e.timestamp, now) - 1, timers_through));
      JourneyId journey;
      if (Status s = HandleEvent(p, e, &fx, &journey); !s.ok()) {
        SP_RETURN_IF_ERROR(SetAside(e, journey, s));
        continue;
      }
      if (p.goal_events.count(e.name) != 0) goal_profiles.insert(e.profile.value());
    }
    if (*blocked) {
      // The rest waits, in order, at the front of the queue (with its payload: it is in memory).
      MutexLock lock(p.queue_mu);
      for (size_t k = batch.size(); k > i; --k) {
        JourneyInput& in = batch[k - 1];
        if (!in.merge && in.segment_changed.empty() && !in.spilled) ++p.payloads;
        p.queue.push_front(std::move(in));
      }
    } else if (!truncated) {
      advance(timers_through);  // (when more inputs wait, their timers come with them)
    }
    const bool idle = batch.empty() && fx.empty();
    Status persisted;
    SP_RETURN_IF_ERROR(Guarded("storing the journeys' effects", [&]() NO_THREAD_SAFETY_ANALYSIS {
      persisted = Persist({{&p, &fx, seen, merges}});
    }));
    SP_RETURN_IF_ERROR(persisted);
    {
      MutexLock lock(mu_);
      Status credited;
      NoteFailure(
          Guarded("goal credits", [&] { credited = hooks_.record_goal_credits(goal_profiles); }));
      SP_RETURN_IF_ERROR(credited);
      NoteFailure(hooks_.update_splits());  // the profiles this round's events moved in a split
    }
    if ((idle && !truncated) || *blocked) return Status::Ok();
  }
  return Status::Internal(
      "journeys: events keep causing events (more than 1000 rounds); check for "
      "journeys that trigger each other");
}

void JourneyService::Enqueue(Partition& p, JourneyInput in) {
  if (!in.merge && in.segment_changed.empty()) {
    if (p.payloads >= tuning_.queue_payloads) {
      // Past the bound: keep the seq and the profile (resolved at commit, as the partition was).
      journeys::InputEvent compact;
      compact.seq = in.event.seq;
      compact.profile = in.event.profile;
      compact.properties.clear();
      compact.traits.clear();
      in.event = std::move(compact);
      in.spilled = true;
      ++p.spilled;
    } else {
      ++p.payloads;
    }
  }
  p.queue.push_back(std::move(in));
}

Status JourneyService::Rehydrate(std::deque<JourneyInput>& batch) {
  std::unordered_map<uint64_t, JourneyInput*> wanted;
  uint64_t first = UINT64_MAX, last = 0;
  for (JourneyInput& in : batch) {
    if (!in.spilled) continue;
    wanted.emplace(in.event.seq, &in);
    first = std::min(first, in.event.seq);
    last = std::max(last, in.event.seq);
  }
  if (wanted.empty()) return Status::Ok();
  return store_.ScanEvents(first - 1, [&](const Event& e) {
    if (e.seq > last) return false;
    if (auto it = wanted.find(e.seq); it != wanted.end()) {
      JourneyInput& in = *it->second;
      in.event = InputOf(e, in.event.profile);
      in.spilled = false;
    }
    return true;
  });
}

Status JourneyService::DrainAll(TimeMs now, TimeMs timers_through) NO_THREAD_SAFETY_ANALYSIS {
  // Each pass drains every partition until idle or waiting at a merge; a pass publishes what the
  // next needs (see Drain), so this ends.
  for (int pass = 0; pass < 10'000; ++pass) {
    bool any_blocked = false;
    for (const auto& part : parts_) {
      Partition& p = *part;
      AssumeHeld(p.mu);
      bool blocked = false;
      SP_RETURN_IF_ERROR(Drain(p, now, timers_through, &blocked));
      any_blocked = any_blocked || blocked;
    }
    if (!any_blocked) return Status::Ok();
  }
  return Status::Internal("journeys: an identity merge was never handed over between partitions");
}

// The thread fires a timer only once its time has passed (due < now), never at exactly its due
// time: an event stamped exactly at a wait's timeout counts as in time (the runtime's tie rule),
// and at that instant it may still be on its way to the queue. Callers that know every input up to
// now is in (RunUntilIdle) fire timers due at now as well.
void JourneyService::ThreadLoop(Partition& p) {
  TimeMs drained_at = -1;  // the clock's time at the last drain
  bool blocked = false;    // the last drain stopped at a merge not handed over yet
  for (;;) {
    TimeMs next_due = 0;
    {
      MutexLock runtime_lock(p.mu);  // never held while taking queue_mu the other way round
      next_due = p.runtime->NextDue();
    }
    {
      MutexLock lock(p.queue_mu);
      TimeMs now = clock_.NowMs();
      auto wait = std::chrono::milliseconds(200);
      if (blocked) {
        // Waiting at a merge: the exporter's Publish wakes it.
      } else if (next_due != 0 && next_due < now) {
        wait = std::chrono::milliseconds(0);
      } else if (next_due != 0 && now != drained_at) {
        // Due now or later: wake just after it (a clock that stands still at the due time, as a
        // test's does, waits for the next input instead of spinning).
        wait = std::min(wait, std::chrono::milliseconds(std::max<TimeMs>(next_due + 1 - now, 1)));
      }
      const bool nothing = p.held || p.queue.empty() || (blocked && !p.wake);
      if (!p.stop && nothing && wait.count() > 0) p.queue_cv.WaitFor(lock, wait);
      if (p.stop) return;
      if (p.held) continue;
    }
    MutexLock lock(p.mu);
    {
      // A hold set while this thread waited for mu (HoldPartitionForTesting takes mu first, so
      // once it returns no round of this thread runs until the hold is lifted).
      MutexLock queue_lock(p.queue_mu);
      if (p.held) continue;
    }
    const TimeMs now = clock_.NowMs();
    Status s = Drain(p, now, now - 1, &blocked);
    drained_at = now;
    if (!s.ok()) spdlog::error("journeys: partition {}: {}", p.index, s.ToString());
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
    DeliveryService& delivery, const SettingsService& settings, const Clock& clock, Hooks hooks,
    Tuning tuning) {
  std::unique_ptr<JourneyService> j(
      new JourneyService(store, profiles, events, delivery, settings, clock, std::move(hooks)));
  const uint32_t partitions = tuning.partitions;
  tuning.queue_payloads = std::max<size_t>(tuning.queue_payloads, 1);
  // A round's re-read payloads stay within the same bound as the queue's.
  tuning.round_items = std::clamp<size_t>(tuning.round_items, 1, tuning.queue_payloads);
  j->tuning_ = tuning;
  // Stored state is read by the number of partitions that wrote it (Start re-homes it).
  SP_ASSIGN_OR_RETURN(uint32_t stored, store::JourneyRecords(&store.db()).Partitions());
  j->wanted_partitions_ = partitions != 0 ? partitions : stored != 0 ? stored : 1;
  SP_RETURN_IF_ERROR(j->Load(std::max(stored, 1u)));
  return j;
}

Status JourneyService::Start() {
  {
    MutexLock lock(mu_);
    // The split counts, from every stored event (split_counters.h).
    SP_RETURN_IF_ERROR(hooks_.load_splits());
  }
  if (partitions() != wanted_partitions_) SP_RETURN_IF_ERROR(Rehome(wanted_partitions_));
  for (const auto& part : parts_) {
    Partition* p = part.get();
    p->thread = std::thread([this, p] { ThreadLoop(*p); });
  }
  return Status::Ok();
}

Status JourneyService::Load(uint32_t n) NO_THREAD_SAFETY_ANALYSIS {
  // (at open or re-homing: no thread runs yet, nothing else reaches the service)
  parts_.clear();
  catalog_ = JourneyCatalog();
  goals_.clear();
  {
    MutexLock lock(handoff_mu_);
    handoffs_.clear();
  }
  journeys::RuntimeOptions ro;
  ro.frequency_cap_per_day = FrequencyCap();
  store::JourneyRecords records(&store_.db());
  SP_ASSIGN_OR_RETURN(ro.system_id_key, records.GetOrCreateSystemIdKey());
  for (uint32_t k = 0; k < n; ++k) {
    auto p = std::make_unique<Partition>();
    p->index = k;
    p->env = std::make_unique<PartitionEnvironment>(hooks_.environment(*this), k, n);
    p->runtime = std::make_unique<journeys::Runtime>(p->env.get(), ro);
    parts_.push_back(std::move(p));
  }
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
      auto shared = std::make_shared<const journeys::JourneyDefinition>(std::move(*def));
      catalog_.Add(shared, v.version);
      for (const auto& p : parts_) p->runtime->AddVersion(shared, v.version);
    }
  }
  const std::unordered_set<std::string> goal_events = GoalEventsOf(goals_);
  for (const auto& p : parts_) p->goal_events = goal_events;
  Status s;
  std::vector<std::map<JourneyId, journeys::JourneyStatus>> statuses(n);
  // (The lambdas below run inside this open, single-threaded like it.)
  // Merges the survivor's partition has not applied but the merged-away profile's has passed
  // (a crash between the two sides): that profile's stored state is handed over, not re-armed.
  std::unordered_map<uint64_t, uint64_t> handed_over;  // from profile -> merge ordinal
  bool merges_read = false;
  auto read_merges = [&]() NO_THREAD_SAFETY_ANALYSIS {
    if (merges_read) return;
    merges_read = true;
    uint64_t oldest = UINT64_MAX;
    for (const auto& p : parts_) oldest = std::min(oldest, p->merges_applied);
    for (const identity::MergeRecord& mr : profiles_.MergesAfter(oldest)) {
      Partition& exporter = PartitionOf(mr.from);
      Partition& survivor = PartitionOf(mr.to);
      if (&exporter == &survivor || mr.ordinal <= survivor.merges_applied ||
          mr.ordinal > exporter.merges_applied)
        continue;
      handed_over[mr.from.value()] = mr.ordinal;
      MutexLock lock(handoff_mu_);
      handoffs_[mr.ordinal] = std::nullopt;  // ready, empty unless its record is found
    }
  };
  // A record that does not read (a throw from parsing it) fails the open with its reason, never
  // the process.
  SP_RETURN_IF_ERROR(Guarded("reading the journeys' state", [&] {
    s = records.Load({
        .cursor =
            [&](uint32_t k, uint64_t seq) NO_THREAD_SAFETY_ANALYSIS {
              if (k < n) parts_[k]->cursor = seq;
            },
        .journey_status =
            [&](uint32_t k, const JourneyId& id, std::string_view v) {
              if (k < n) statuses[k][id] = journeys::JourneyStatusFromJson(json::parse(v));
            },
        .merges =
            [&](uint32_t k, uint64_t ordinal) NO_THREAD_SAFETY_ANALYSIS {
              if (k < n) parts_[k]->merges_applied = ordinal;
            },
        .partitions = {},
        .profile_state =
            [&](ProfileId p, std::string_view v) NO_THREAD_SAFETY_ANALYSIS {
              read_merges();
              journeys::ProfileState st = journeys::ProfileStateFromJson(json::parse(v));
              catalog_.Note(p, &st);
              if (auto it = handed_over.find(p.value()); it != handed_over.end()) {
                MutexLock lock(handoff_mu_);
                handoffs_[it->second] = std::move(st);
                return;
              }
              PartitionOf(p).runtime->RestoreState(p, std::move(st));
            },
    });
  }));
  SP_RETURN_IF_ERROR(s);
  read_merges();
  // Each partition's counters; the lifecycle is partition 0's (every lifecycle change writes all
  // partitions in one write, so they agree).
  for (const auto& [id, st0] : statuses[0]) {
    for (uint32_t k = 0; k < n; ++k) {
      journeys::JourneyStatus st = LifecycleOf(st0);
      if (auto it = statuses[k].find(id); it != statuses[k].end()) AddCounters(st, it->second);
      parts_[k]->runtime->RestoreStatus(id, std::move(st));
    }
  }
  for (const auto& p : parts_) {
    p->merges_durable.store(p->merges_applied);
    p->runtime->Refresh();
  }
  RefreshFilter();
  // Catch up with merges and events committed after the cursors (a crash, or an import by another
  // process): the merges first, since the events are filed under today's profiles.
  const bool catch_up = !goals_.empty();
  uint64_t oldest_cursor = UINT64_MAX, oldest_merges = UINT64_MAX;
  for (const auto& p : parts_) {
    oldest_cursor = std::min(oldest_cursor, p->cursor);
    oldest_merges = std::min(oldest_merges, p->merges_applied);
  }
  const TimeMs now = clock_.NowMs();
  MutexLock route_lock(route_mu_);
  for (identity::MergeRecord& mr : profiles_.MergesAfter(oldest_merges)) {
    splits_.Touch(mr.from, true);
    splits_.Touch(mr.to, true);
    Partition& exporter = PartitionOf(mr.from);
    Partition& survivor = PartitionOf(mr.to);
    std::vector<Partition*> involved = {&exporter};
    if (&survivor != &exporter) involved.push_back(&survivor);
    for (Partition* p : involved) {
      if (mr.ordinal <= p->merges_applied) continue;
      MutexLock lock(p->queue_mu);
      Enqueue(*p, {{}, mr, {}, p->cursor, now});
    }
  }
  merges_queued_ = profiles_.merge_count();
  if (any_live_ || catch_up) {
    SP_RETURN_IF_ERROR(
        store_.ScanEvents(oldest_cursor, [&](const Event& e) NO_THREAD_SAFETY_ANALYSIS {
          // (runs inside this scan, with route_mu_ held)
          if (interesting_.count(e.type == EventType::kTrack ? e.event : "") != 0 ||
              (e.type == EventType::kIdentify && interested_in_identify_)) {
            const ProfileId profile = profiles_.ProfileOf(e.PrimaryIdentity());
            Partition& p = PartitionOf(profile);
            if (e.seq > p.cursor) {
              MutexLock lock(p.queue_mu);
              Enqueue(p, {InputOf(e, profile), std::nullopt, {}, e.seq - 1, now});
            }
          }
          committed_seq_ = std::max(committed_seq_, e.seq);
          return true;
        }));
  }
  committed_seq_ = std::max(committed_seq_, store_.LastSeq());
  for (const auto& p : parts_) {
    MutexLock lock(p->queue_mu);
    p->committed_seq = committed_seq_;
  }
  return Status::Ok();
}

Status JourneyService::Rehome(uint32_t to) NO_THREAD_SAFETY_ANALYSIS {
  // (at Start, before the threads: nothing else reaches the partitions)
  const uint32_t from = partitions();
  spdlog::info("journeys: re-homing the runtime's state from {} to {} partitions", from, to);
  // Everything committed is handled first, so every partition stands at the same cursor.
  const TimeMs now = clock_.NowMs();
  SP_RETURN_IF_ERROR(DrainAll(now, now - 1));
  uint64_t cursor = 0, merges = 0;
  for (const auto& p : parts_) {
    cursor = std::max(cursor, p->cursor);
    merges = std::max(merges, p->merges_applied);
  }
  store::Batch batch = store_.db().NewBatch();
  const store::JourneyRecords records(&store_.db());
  // The counters: summed into partition 0 (they are only ever read summed); the lifecycle in all.
  for (const JourneyId& id : parts_[0]->runtime->JourneyIds()) {
    const journeys::JourneyStatus* st0 = parts_[0]->runtime->StatusOf(id);
    if (st0 == nullptr) continue;
    journeys::JourneyStatus sum = LifecycleOf(*st0);
    for (const auto& p : parts_) {
      if (const journeys::JourneyStatus* st = p->runtime->StatusOf(id)) AddCounters(sum, *st);
    }
    records.PutJourneyStatus(batch, id, journeys::ToJson(sum).dump(), 0);
    const std::string lifecycle = journeys::ToJson(LifecycleOf(*st0)).dump();
    for (uint32_t k = 1; k < std::max(from, to); ++k) {
      if (k < to) {
        records.PutJourneyStatus(batch, id, lifecycle, k);
      } else {
        records.DeleteJourneyStatus(batch, id, k);
      }
    }
  }
  for (uint32_t k = 0; k < std::max(from, to); ++k) {
    if (k < to) {
      records.PutCursor(batch, cursor, k);
      records.PutMerges(batch, merges, k);
    } else {
      records.DeleteCursor(batch, k);
      records.DeleteMerges(batch, k);
    }
  }
  records.PutPartitions(batch, to);
  SP_RETURN_IF_ERROR(store_.db().Write(batch));
  // The profile states' records are not partitioned: reading them again homes each by the new N.
  return Load(to);
}

JourneyService::~JourneyService() { Stop(); }

void JourneyService::Stop() {
  for (const auto& p : parts_) {
    {
      MutexLock lock(p->queue_mu);
      p->stop = true;
    }
    p->queue_cv.NotifyAll();
  }
  for (const auto& p : parts_) {
    if (p->thread.joinable()) p->thread.join();
  }
}

void JourneyService::OnCommitted(const std::vector<Event>& committed) {
  const uint32_t n = partitions();
  const TimeMs now = clock_.NowMs();
  std::vector<std::vector<JourneyInput>> routed(n);
  MutexLock lock(route_mu_);
  // This commit's merges go before its events, which are already filed under the merged profile.
  if (profiles_.merge_count() > merges_queued_) {
    for (identity::MergeRecord& mr : profiles_.MergesAfter(merges_queued_)) {
      merges_queued_ = mr.ordinal;
      splits_.Touch(mr.from, true);
      splits_.Touch(mr.to, true);
      const uint32_t exporter = journeys::PartitionOf(mr.from, n);
      const uint32_t survivor = journeys::PartitionOf(mr.to, n);
      JourneyInput in{{}, mr, {}, committed_seq_, now};
      if (survivor != exporter) routed[survivor].push_back(in);
      routed[exporter].push_back(std::move(in));
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
    const ProfileId profile = profiles_.ProfileOf(e.PrimaryIdentity());
    routed[journeys::PartitionOf(profile, n)].push_back(
        {InputOf(e, profile), std::nullopt, {}, e.seq - 1, now});
  }
  // Every partition learns the committed seq (its cursor moves with it when it has nothing to do).
  for (uint32_t k = 0; k < n; ++k) {
    Partition& p = *parts_[k];
    {
      MutexLock queue_lock(p.queue_mu);
      for (JourneyInput& in : routed[k]) Enqueue(p, std::move(in));
      p.committed_seq = committed_seq_;
    }
    if (!routed[k].empty()) p.queue_cv.NotifyOne();
  }
}

void JourneyService::OnSegmentChanged(const SegmentId& segment) {
  {
    AllLocked all(parts_);
    for (const auto& p : parts_) {
      AssumeHeld(p->mu);
      p->runtime->Refresh();
    }
  }
  RefreshFilter();
  const TimeMs now = clock_.NowMs();
  MutexLock lock(route_mu_);
  for (const auto& p : parts_) {
    {
      MutexLock queue_lock(p->queue_mu);
      Enqueue(*p, {{}, std::nullopt, segment, committed_seq_, now});
    }
    p->queue_cv.NotifyOne();
  }
}

Status JourneyService::RunUntilIdle() {
  AllLocked all(parts_);
  const TimeMs now = clock_.NowMs();
  return DrainAll(now, now);
}

std::vector<ProfileId> JourneyService::ProfilesIn(const JourneyId& journey) const {
  MutexLock lock(mu_);
  return catalog_.ProfilesIn(journey);
}

void JourneyService::SetFaultForTesting(std::function<void(const journeys::InputEvent&)> fault) {
  AllLocked all(parts_);
  for (const auto& p : parts_) {
    AssumeHeld(p->mu);
    p->fault = fault;
  }
}

void JourneyService::HoldPartitionForTesting(uint32_t partition, bool held) {
  Partition& p = *parts_.at(partition);
  {
    MutexLock runtime_lock(p.mu);  // a round in progress ends first
    MutexLock lock(p.queue_mu);
    p.held = held;
  }
  p.queue_cv.NotifyAll();
}

std::optional<journeys::JourneyStatus> JourneyService::StatusOf(const JourneyId& id) const {
  std::optional<journeys::JourneyStatus> out;
  for (const auto& p : parts_) {
    MutexLock lock(p->mu);
    const journeys::JourneyStatus* st = p->runtime->StatusOf(id);
    if (st == nullptr) return std::nullopt;
    if (!out) out = LifecycleOf(*st);
    AddCounters(*out, *st);
  }
  return out;
}

JourneyService::Metrics JourneyService::metrics() const {
  Metrics out;
  const TimeMs now = clock_.NowMs();
  {
    MutexLock lock(route_mu_);
    out.committed = committed_seq_;
  }
  std::vector<JourneyId> ids;
  for (const auto& p : parts_) {
    PartitionMetrics pm;
    bool idle = false;
    uint64_t committed = 0;
    {
      MutexLock lock(p->queue_mu);
      pm.queued = p->queue.size();
      pm.oldest_ms = p->queue.empty() ? 0 : std::max<TimeMs>(0, now - p->queue.front().queued_at);
      idle = p->queue.empty() && !p->busy;
      committed = p->committed_seq;
    }
    {
      MutexLock lock(p->mu);
      pm.cursor = p->cursor;
      pm.profiles = p->runtime->ProfileCount();
      pm.spilled = p->spilled.load();
      if (p->index == 0) ids = p->runtime->JourneyIds();
    }
    pm.lag_events = idle || committed <= pm.cursor ? 0 : committed - pm.cursor;
    out.queued += pm.queued;
    out.profiles += pm.profiles;
    out.cursor = p->index == 0 ? pm.cursor : std::min(out.cursor, pm.cursor);
    out.partitions.push_back(pm);
  }
  for (const JourneyId& id : ids) {
    if (auto st = StatusOf(id)) out.statuses.emplace_back(id, std::move(*st));
  }
  out.poison_events = poison_events_.load();
  return out;
}

JourneyService::Backlog JourneyService::backlog() const {
  Backlog out;
  const TimeMs now = clock_.NowMs();
  for (const auto& p : parts_) {
    MutexLock lock(p->queue_mu);
    const int64_t oldest =
        p->queue.empty() ? 0 : std::max<TimeMs>(0, now - p->queue.front().queued_at);
    if (oldest > out.oldest_ms || (out.oldest_ms == 0 && p->queue.size() > out.queued)) {
      out = {p->index, p->queue.size(), oldest};
    }
  }
  return out;
}

std::string JourneyPartitionMetricsText(const JourneyService::Metrics& m) {
  std::string out = fmt::format(
      "# HELP signpost_journey_partitions Partitions of the journey runtime (one thread each).\n"
      "# TYPE signpost_journey_partitions gauge\nsignpost_journey_partitions {}\n",
      m.partitions.size());
  auto family = [&](std::string_view name, std::string_view help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
    for (size_t k = 0; k < m.partitions.size(); ++k)
      out += fmt::format("{}{{partition=\"{}\"}} {}\n", name, PromLabelValue(std::to_string(k)),
                         value(m.partitions[k]));
  };
  family("signpost_journey_partition_queue", "Inputs waiting in each journey partition's queue.",
         [](const JourneyService::PartitionMetrics& p) { return p.queued; });
  family("signpost_journey_partition_lag_events",
         "Committed sequence numbers each journey partition has not yet made durable.",
         [](const JourneyService::PartitionMetrics& p) { return p.lag_events; });
  out += fmt::format(
      "# HELP signpost_journey_partition_spilled_total Events queued without their payload (a "
      "partition past its bound; read back from the store by seq).\n"
      "# TYPE signpost_journey_partition_spilled_total counter\n");
  for (size_t k = 0; k < m.partitions.size(); ++k)
    out += fmt::format("signpost_journey_partition_spilled_total{{partition=\"{}\"}} {}\n",
                       PromLabelValue(std::to_string(k)), m.partitions[k].spilled);
  family("signpost_journey_partition_oldest_ms",
         "Age in ms of the oldest input waiting in each journey partition's queue.",
         [](const JourneyService::PartitionMetrics& p) { return p.oldest_ms; });
  return out;
}

int JourneyService::FrequencyCap() const { return settings_.Current().frequency_cap_per_day; }

// ---- definitions and lifecycle
// ------------------------------------------------------------------------

Result<AppliedDefinition> JourneyService::Apply(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(journeys::JourneyDefinition def,
                      journeys::ParseJourneyDefinition(text, hooks_.references()));
  AllLocked all(parts_);
  SP_ASSIGN_OR_RETURN(AppliedDefinition out,
                      StoreDefinition(store_, clock_.NowMs(), store::DefinitionKind::kJourney,
                                      def.id.value(), text, note.empty() ? def.note : note));
  const uint64_t version = out.version;
  const JourneyId id = def.id;
  auto shared = std::make_shared<const journeys::JourneyDefinition>(std::move(def));
  std::unordered_set<std::string> goal_events;
  {
    MutexLock lock(mu_);
    KeepGoal(*shared);
    catalog_.Add(shared, version);
    goal_events = GoalEventsOf(goals_);
  }
  std::vector<journeys::Effects> fxs(parts_.size());
  std::vector<PartitionEffects> effects;
  for (const auto& p : parts_) {
    AssumeHeld(p->mu);
    journeys::Effects& fx = fxs[p->index];
    p->goal_events = goal_events;
    p->runtime->AddVersion(shared, version);
    p->runtime->Upgrade(id, version, &fx);  // a live journey takes the edit for new entries
    fx.dirty_journeys.insert(id);
    effects.push_back({p.get(), &fx, 0, 0});
  }
  SP_RETURN_IF_ERROR(Persist(std::move(effects)));
  AssumeHeld(parts_[0]->mu);
  const journeys::JourneyStatus* st = parts_[0]->runtime->StatusOf(id);
  out.state = std::string(JourneyLifecycleName(st ? st->state : journeys::Lifecycle::kDraft));
  RefreshFilterFrom(*parts_[0]);
  return out;
}

void JourneyService::OnSettings(const Settings& settings) {
  AllLocked all(parts_);
  for (const auto& p : parts_) {
    AssumeHeld(p->mu);
    p->runtime->SetFrequencyCap(settings.frequency_cap_per_day);
  }
}

Result<JourneyStateChange> JourneyService::SetState(const JourneyId& id, std::string_view state) {
  if (state != "live" && state != "stopped") {
    return Status::InvalidArgument(
        fmt::format("state: '{}' is not a state you can set; use live or stopped", state));
  }
  AllLocked all(parts_);
  Partition& p0 = *parts_[0];
  AssumeHeld(p0.mu);
  if (!p0.runtime->Definition(id, 0))
    return Status::NotFound(fmt::format("journey '{}' does not exist; apply it first", id));
  // Everything committed so far is handled first, so the change takes effect from now on.
  SP_RETURN_IF_ERROR(DrainAll(clock_.NowMs(), clock_.NowMs()));
  std::vector<journeys::Effects> fxs(parts_.size());
  std::vector<PartitionEffects> effects;
  for (const auto& p : parts_) {
    AssumeHeld(p->mu);
    journeys::Effects& fx = fxs[p->index];
    // Partition 0 first: a move its lifecycle refuses changes no partition.
    if (state == "live") {
      SP_RETURN_IF_ERROR(p->runtime->Start(id, clock_.NowMs(), &fx));
    } else {
      SP_RETURN_IF_ERROR(p->runtime->Stop(id, clock_.NowMs(), &fx));
    }
    fx.dirty_journeys.insert(id);
    effects.push_back({p.get(), &fx, 0, 0});
  }
  SP_RETURN_IF_ERROR(Persist(std::move(effects)));
  RefreshFilterFrom(p0);
  const journeys::JourneyStatus* st = p0.runtime->StatusOf(id);
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
      auto def = catalog_.Definition(row.id, r.version);
      if (def) row.name = def->name;
    }
    if (auto st = StatusOf(row.id)) {
      row.state = st->state;
      row.live_version = st->live_version;
      row.entered = st->entered;
      row.in_progress = st->in_progress;
      row.completed = st->completed;
    }
    out.journeys.push_back(std::move(row));
  }
  return out;
}

Result<JourneyView> JourneyService::Get(const JourneyId& id) const {
  SP_ASSIGN_OR_RETURN(auto history,
                      store_.definitions().History(store::DefinitionKind::kJourney, id.value()));
  if (history.empty()) return Status::NotFound(fmt::format("journey '{}' does not exist", id));
  std::shared_ptr<const journeys::JourneyDefinition> def;
  {
    MutexLock lock(mu_);
    def = catalog_.Definition(id, 0);
  }
  if (!def) return Status::NotFound(fmt::format("journey '{}' does not parse; apply it again", id));
  journeys::JourneyStatus st = StatusOf(id).value_or(journeys::JourneyStatus{});
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
  } else if (const auto& fs = def->entry.funnel_step) {
    out.entry.funnel_step =
        JourneyView::Entry::FunnelStep{fs->funnel, fs->step, fs->stalled, fs->after};
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
  Partition& p = PartitionOf(person.profile);
  MutexLock lock(p.mu);  // its thread is between rounds: the queue is all it has not seen
  {
    MutexLock queue_lock(p.queue_mu);
    const auto before = p.queue.size();
    std::erase_if(p.queue, [&](const JourneyInput& item) {
      return !item.merge && item.segment_changed.empty() && item.event.profile == person.profile;
    });
    out.queued_inputs = before - p.queue.size();
    p.payloads = static_cast<size_t>(
        std::count_if(p.queue.begin(), p.queue.end(), [](const JourneyInput& item) {
          return !item.merge && item.segment_changed.empty() && !item.spilled;
        }));
  }
  journeys::Effects fx;
  const bool had_state = p.runtime->State(person.profile) != nullptr;
  out.journey_exits = p.runtime->Forget(person.profile, &fx).size();
  out.journey_states = had_state ? 1 : 0;
  {
    MutexLock shared_lock(mu_);
    splits_.Forget(person.profile);
  }
  if (!fx.empty()) SP_RETURN_IF_ERROR(Persist({{&p, &fx, 0, 0}}));
  return out;
}

void JourneyService::ExportPerson(const Person& person, PersonExport* out) const {
  Partition& p = PartitionOf(person.profile);
  MutexLock lock(p.mu);
  const journeys::ProfileState* st = p.runtime->State(person.profile);
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
                                        .step = p.runtime->StepId(id, i),
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
