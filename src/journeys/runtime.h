// The journey runtime: moves profiles through journeys as events arrive and timers fire, in event
// time. One code path serves the live engine (events as they are committed, timers on the wall
// clock) and replay (stored events in timestamp order, the clock jumping from event to event).
//
// What it decides it reports as Effects: system events to record (src/base/system_events.h),
// messages for the outbox, and which profiles' state changed (to persist). It never writes anything
// itself, so the caller makes the effects durable in the order that makes re-processing after a
// crash harmless (system events carry deterministic message ids; outbox keys are idempotent).
//
// Thread-safety: not thread-safe. The engine serializes all calls (one runtime per partition of
// profiles; nothing here needs two profiles at once).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/json_text.h"
#include "delivery/message.h"
#include "journeys/environment.h"
#include "journeys/journey_definition.h"
#include "journeys/lifecycle.h"
#include "journeys/profile_state.h"
#include "rules/json_match.h"
#include "signpost/event.h"
#include "signpost/ids.h"

namespace signpost::journeys {

struct RuntimeOptions {
  // At most this many messages per profile in any 24 hours across journeys (0 = no cap).
  int frequency_cap_per_day = 0;
  // A profile may take at most this many steps on one event or timer (guards against loops that
  // validation cannot see); beyond it the profile exits with reason "loop_limit".
  int max_steps_per_run = 1000;
  // The secret the message ids of system events are derived from (SystemMessageId): the engine's
  // per-data-folder key, so ids cannot be guessed from outside yet are the same on every
  // re-processing. Default "": an HMAC under the empty key (tests, and replays that write nothing).
  std::string system_id_key;
};

// The message id of a system event: kSystemMessageIdPrefix followed by 32 hex digits of
// HMAC-SHA256(key, name) — `name` being what identifies the event (journey/version/profile/entry/
// what, e.g. "cart/1/42/1/entered"). Deterministic for a key; unguessable without it. Pure.
std::string SystemMessageId(std::string_view key, std::string_view name);

// One event as the runtime sees it.
struct InputEvent {
  uint64_t seq = 0;
  ProfileId profile;
  EventType type = EventType::kTrack;
  std::string name;  // track: the event name; otherwise empty
  TimeMs timestamp = 0;
  std::string properties = "{}";
  std::string traits = "{}";
};

struct Effects {
  std::vector<Event> events;                // system events (and identify events of updates)
  std::vector<delivery::Message> messages;  // for the outbox
  std::unordered_set<uint64_t> dirty_profiles;
  std::set<JourneyId> dirty_journeys;  // lifecycle or counters changed
  bool empty() const {
    return events.empty() && messages.empty() && dirty_profiles.empty() && dirty_journeys.empty();
  }
};

// Per-step counts: inflow = in progress + passed on + exited.
struct StepCounters {
  uint64_t inflow = 0, passed_on = 0;
  std::map<std::string, uint64_t> exits;  // by reason
};

// A journey's lifecycle and counters.
struct JourneyStatus {
  Lifecycle state = Lifecycle::kDraft;
  uint64_t live_version = 0;  // the version new entries get
  TimeMs live_since = 0;      // triggers at or after max(live_since, start) enter
  TimeMs ended_at = 0;
  // A segment-entry journey that went live before its start time: its members enter at the start.
  bool members_pending = false;
  uint64_t entered = 0;          // unique profiles entered, holdout excluded
  uint64_t entered_holdout = 0;  // unique holdout profiles
  uint64_t entries = 0;          // every entry, re-entries included
  uint64_t in_progress = 0;
  uint64_t completed = 0;
  uint64_t erased = 0;  // profiles that had entered, forgotten by a privacy erasure (Forget)
  std::map<std::string, StepCounters> steps;  // by step id ("entry" for the entry), all versions
};

nlohmann::json ToJson(const JourneyStatus& s);
JourneyStatus JourneyStatusFromJson(const nlohmann::json& j);

// One entry a forgotten profile was inside when it was forgotten (Runtime::Forget).
struct ForgottenEntry {
  JourneyId journey;
  uint64_t version = 0;
  uint32_t entry = 0;
  std::string step;  // the step it exited at
};

class LazyScope;  // runtime.cc: a profile's scope, opened on first use

class Runtime {
 public:
  // `env` is not owned and must outlive the runtime.
  Runtime(Environment* env, RuntimeOptions options);
  ~Runtime();

  // ---- journeys ------------------------------------------------------------------------------
  // Makes version `version` of a journey known (profiles inside old versions finish on them).
  void AddVersion(std::shared_ptr<const JourneyDefinition> def, uint64_t version);
  // Restores a journey's lifecycle and counters (at load).
  void RestoreStatus(const JourneyId& id, JourneyStatus status);
  // Goes live at `at` with the latest known version. A segment entry enters the segment's members
  // at once. kFailedPrecondition for an unknown journey or a move the lifecycle refuses.
  Status Start(const JourneyId& id, TimeMs at, Effects* fx);
  // A live journey takes `version` for new entries (an edit of a live journey).
  void Upgrade(const JourneyId& id, uint64_t version, Effects* fx);
  // Stops a live journey at `at`: everyone inside exits with reason journey_stopped.
  Status Stop(const JourneyId& id, TimeMs at, Effects* fx);
  const JourneyStatus* StatusOf(const JourneyId& id) const;
  std::vector<JourneyId> JourneyIds() const;
  std::shared_ptr<const JourneyDefinition> Definition(const JourneyId& id, uint64_t version) const;
  // The id of the step entry `i` of journey `id` is at ("" when its version is unknown).
  std::string StepId(const JourneyId& id, const Instance& i) const;

  // ---- processing ----------------------------------------------------------------------------
  // Handles one event of one profile at its event time.
  void Process(const InputEvent& e, Effects* fx);
  // Process, but one event's failure stays with that event: when handling it throws (a rule, the
  // environment), the profile's state and the counters of the journeys it could touch are put back
  // as they were before it, what it added to `fx` is dropped, and kInternal is returned naming the
  // journey it was being handled for (when known: `*journey`, else "") and what failed. The caller
  // sets the event aside (the engine dead-letters it) and goes on with the next one.
  [[nodiscard]] Status TryProcess(const InputEvent& e, Effects* fx, JourneyId* journey);
  // Fires every timer due at or before `now` (in due order), and ends journeys whose end time has
  // come. Each fires at its own due time (the event time of what it causes).
  void AdvanceTo(TimeMs now, Effects* fx);
  // The earliest pending timer or journey end; 0 when none.
  TimeMs NextDue() const;
  // Cheap pre-filter: false when an event with this name (track) or type can change nothing.
  bool Interested(EventType type, std::string_view name) const;
  // A copy of what Interested accepts: track event names, and whether identify events matter.
  std::pair<std::unordered_set<std::string>, bool> Interests() const {
    return {std::unordered_set<std::string>(interesting_.begin(), interesting_.end()),
            interested_in_identify_};
  }
  // Recomputes what the runtime reacts to (after segment definitions changed).
  void Refresh() { Reindex(); }
  // Segment `segment` changed at `t` without an event of its members (a rule redefined, a static
  // list saved): profiles inside journeys that suppress it and are members now exit, and members
  // who never entered a live journey that admits those who join the segment later enter.
  void SegmentChanged(const SegmentId& segment, TimeMs t, Effects* fx);
  // The cap of RuntimeOptions::frequency_cap_per_day (a settings change).
  void SetFrequencyCap(int per_day) { options_.frequency_cap_per_day = per_day; }

  // ---- state ---------------------------------------------------------------------------------
  // The state of one profile (nullptr when it never entered a journey).
  const ProfileState* State(ProfileId profile) const;
  // Restores a profile's state (at load); re-arms its timers.
  void RestoreState(ProfileId profile, ProfileState state);
  // Moves `from`'s journeys to `into` after an identity merge; where both are inside the same
  // journey, `from`'s entry exits with reason merged.
  void Merge(ProfileId from, ProfileId into, TimeMs at, Effects* fx);
  // Partitions (src/journeys/partition.h): an identity merge across two partitions. The partition
  // of `from` takes its state out (Export: its timers are dropped and the journeys it is inside
  // stop counting it in progress here; its stored record is left to the importer, so `fx` marks
  // only those journeys dirty); the partition of the surviving profile adopts it (Adopt: counted
  // in progress there, timers re-armed) and then calls Merge. nullopt when it has no state.
  std::optional<ProfileState> Export(ProfileId from, Effects* fx);
  void Adopt(ProfileId from, ProfileState state, Effects* fx);
  // Forgets `profile` (a privacy erasure): each journey it is inside counts an exit with reason
  // `erased` at its current step (step analytics, in progress) without a `Journey Exited` event
  // (the person's events are being removed), then its state and timers are dropped. Every journey
  // it ever entered counts it in `erased`; the other counters (entered, entries, completed) are
  // aggregates without the person and stay. Returns
  // the entries it exited; none when the profile has no state (so a repeat changes nothing).
  std::vector<ForgottenEntry> Forget(ProfileId profile, Effects* fx);
  size_t ProfileCount() const { return profiles_.size(); }
  // Profiles that ever entered journey `id`.
  std::vector<ProfileId> ProfilesIn(const JourneyId& id) const;

 private:
  struct Journey;
  struct Ctx;

  Journey* Find(const JourneyId& id);
  const Journey* Find(const JourneyId& id) const;
  void Reindex();
  void TryEnter(Journey& j, ProfileId p, const InputEvent* trigger, TimeMs t, Effects* fx);
  // Enters the members of segment-entry journey `j` at `t`.
  Status EnterMembers(Journey& j, TimeMs t, Effects* fx);
  void Run(Ctx& c, TimeMs t, bool arrived);
  void Arrive(Ctx& c, int step, TimeMs t);
  bool Send(Ctx& c, const Step& s, TimeMs t);
  bool Branch(Ctx& c, const BranchCondition& cond, TimeMs t);
  void Exit(Ctx& c, std::string_view reason, TimeMs t);
  void Complete(Ctx& c, TimeMs t);
  void HandleWaitingEvent(Ctx& c, const InputEvent& e);
  bool CheckSuppression(Ctx& c, TimeMs t, const InputEvent* e);
  // privacy: whether the profile has every tracking-consent category `def` requires at `t` (its
  // latest preference as of `t`, else the settings' default).
  bool TrackingConsented(const JourneyDefinition& def, ProfileScope& scope, TimeMs t);
  void Arm(ProfileId p, Journey& j, const Instance& i);
  // Watches `segment` for `p` on behalf of journey `j`: when time alone will change the
  // membership (SegmentChangesAt), the runtime looks again then (a suppression exit or a
  // join-later entry at that instant).
  void Watch(ProfileId p, Journey& j, ProfileScope& scope, const SegmentId& segment, TimeMs t,
             Effects* fx);
  // Arms the watch (due, p, j) and keeps it in p's state (persisted: RestoreState re-arms it).
  void AddWatch(ProfileId p, Journey& j, TimeMs due, Effects* fx);
  // Takes the fired watch (journey `id`, `due`) out of profile `pid`'s state (a state left with
  // nothing is dropped).
  void DropWatch(uint64_t pid, const JourneyId& id, TimeMs due, Effects* fx);
  // Fires one watch of journey `j` for profile `pid` at `due`.
  void FireWatch(uint64_t pid, Journey& j, TimeMs due, Effects* fx);
  // A `funnel_step:` entry for `e`'s profile: reached → enter now; stalled → watch until `after`.
  void FunnelStepEntry(Journey& j, const InputEvent& e, LazyScope& scope, Effects* fx);
  Event SystemEvent(Ctx& c, std::string_view name, std::string_view id_suffix, TimeMs t,
                    JsonObjectText properties);

  Environment* env_;
  RuntimeOptions options_;
  std::vector<std::unique_ptr<Journey>> journeys_;
  std::unordered_map<JourneyId, size_t> journey_index_;
  // trigger event name -> journeys it enters; event names some journey reacts to.
  std::unordered_map<std::string, std::vector<size_t>> by_trigger_;
  // Looked up with the event's name as a string_view (no string made per event).
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, NameHash, std::equal_to<>> interesting_;
  bool interested_in_identify_ = false;
  std::vector<size_t> join_later_;  // live segment journeys that admit those who join later
  // live `funnel_step:` entry journeys, and the event names that can fill their funnel's steps
  std::vector<size_t> funnel_step_;
  std::unordered_map<size_t, std::unordered_set<std::string>> funnel_events_;
  // The earliest end or pending segment start of a live journey (0 = none); recomputed when stale.
  TimeMs boundary_ = 0;
  bool boundary_stale_ = true;
  // By profile id; kept at most a quarter full (the constructor), so most lookups of a profile
  // without state stop at an empty bucket instead of walking a chain of cold nodes (issue 18).
  std::unordered_map<uint64_t, ProfileState> profiles_;
  // (due, profile, journey index): a timer; stale entries are skipped when they fire.
  std::set<std::tuple<TimeMs, uint64_t, size_t>> timers_;
  // (due, profile, journey index): a segment watch (Watch); each is also in its profile's state
  // (ProfileState::watches), so it is persisted and re-armed at load.
  std::set<std::tuple<TimeMs, uint64_t, size_t>> watches_;
  rules::JsonMatcher matcher_;
  // The journey the current event is being handled for (TryProcess names it); nullptr outside.
  const JourneyId* handling_ = nullptr;
};

}  // namespace signpost::journeys
