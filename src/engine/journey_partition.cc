// The partitions of the JourneyService (journey_partition.h): each partition's round (Drain) over
// its queue and timers, making its effects durable (Persist), handing merged-away state over
// (Publish), the spilled queue (Enqueue, Rehydrate) and the partition's thread (ThreadLoop).
#include "engine/journey_partition.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "base/json_text.h"
#include "base/time.h"
#include "engine/engine_journeys.h"
#include "engine/journey_service.h"
#include "journeys/partition.h"
#include "store/db.h"
#include "store/journey_records.h"

namespace signpost::engine {

namespace {

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

}  // namespace signpost::engine
