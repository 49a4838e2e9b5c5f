// JourneyService: the live journey runtime — its input queue from the commit thread, its thread,
// its durable state (profile states, journey counters, the cursor) — journey definitions and their
// lifecycle, and the journeys' goals and split decisions that the runtime's callbacks read.
//
// Durability: the runtime's decisions are made durable in this order: (1) its system events
// (deterministic message ids, so a repeat stores nothing), then (2) one atomic write of the changed
// profile states, journey counters, outbox messages and the cursor (the last committed seq seen).
// A crash between (1) and (2) re-processes from the old cursor and produces the same events and
// the same outbox keys, so nothing is lost or sent under a second key, and no timer fires twice.
//
// Thread-safety: every public method may be called from any thread unless it says otherwise.
// `mu_` serializes every use of the runtime (the journey thread, RunUntilIdle, lifecycle calls,
// reports); the runtime's callbacks into the engine run with it held. `queue_mu_` guards the input
// queue, so OnCommitted (the commit thread) never waits for `mu_`; `mu_` is never taken while
// `queue_mu_` is held. The goal, experiment and replay code of src/engine reads the runtime and
// the goals under `mu()` through the REQUIRES(mu()) accessors; the analysis checks each use.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/mutex.h"
#include "engine/delivery_service.h"
#include "engine/event_service.h"
#include "engine/person.h"
#include "engine/settings.h"
#include "engine/split_counters.h"
#include "goals/attribution.h"
#include "identity/records.h"
#include "journeys/runtime.h"
#include "signpost/engine.h"

namespace signpost::engine {

// One item of the runtime's input, in commit order: an event, or an identity merge (the runtime
// moves the merged profile's journeys before it sees the events filed under the surviving profile).
struct JourneyInput {
  journeys::InputEvent event;
  std::optional<identity::MergeRecord> merge;
  SegmentId segment_changed;  // or: this segment changed (Runtime::SegmentChanged)
};

class JourneyService {
 public:
  // What the runtime needs from the services after it in the data flow (the engine wires them).
  struct Hooks {
    // The environment the runtime reads profiles through (live), reading the journeys' state
    // through the service given; called once, at Open.
    std::function<std::unique_ptr<journeys::Environment>(const JourneyService&)> environment;
    // What a journey definition refers to, checked against the stored definitions.
    std::function<journeys::References()> references;
    // Records the goal credits of `profiles` (`Goal Attained`); called with mu() held.
    std::function<Status(const std::unordered_set<uint64_t>& profiles)> record_goal_credits;
    // Loads the live split counts at open / re-reads the profiles touched since (split_counters.h);
    // called with mu() held.
    std::function<Status()> load_splits;
    std::function<Status()> update_splits;
  };

  // Loads every version of every journey and the durable state and queues what was committed after
  // the cursor. Every reference outlives the service. Start() begins the work.
  static Result<std::unique_ptr<JourneyService>> Open(
      store::Store& store, const identity::ProfileStore& profiles, EventService& events,
      DeliveryService& delivery, const SettingsService& settings, const Clock& clock, Hooks hooks);
  // Loads the split counts (the hooks may now reach this service), then starts the journey thread.
  Status Start() EXCLUDES(mu_);
  // Stops the journey thread (the engine's hooks reach this service until it has stopped). Once.
  void Stop() EXCLUDES(queue_mu_);
  ~JourneyService();

  // ---- input ------------------------------------------------------------------------------
  // The commit thread, after each commit: queues the events the runtime reacts to and the merges
  // the commit caused (before its events). Never waits for mu_.
  void OnCommitted(const std::vector<Event>& committed) EXCLUDES(queue_mu_);
  // A segment's definition or list changed: re-reads what the runtime reacts to and queues the
  // change (suppression exits, join-later entries on the journey thread).
  void OnSegmentChanged(const SegmentId& segment) EXCLUDES(mu_, queue_mu_);
  // Handles everything queued and every timer due at the clock's now (tests on a ManualClock).
  Status RunUntilIdle() EXCLUDES(mu_);

  // ---- definitions and lifecycle --------------------------------------------------------------
  Result<AppliedDefinition> Apply(std::string_view text, std::string_view note) EXCLUDES(mu_);
  // New settings (the settings service's observer): the runtime takes the frequency cap.
  void OnSettings(const Settings& settings) EXCLUDES(mu_);
  // See Engine::SetJourneyState.
  Result<JourneyStateChange> SetState(const JourneyId& id, std::string_view state) EXCLUDES(mu_);
  // What a journey definition may refer to, checked against the stored definitions (the hook).
  journeys::References References() const { return hooks_.references(); }
  // privacy: the tracking-consent defaults (`consent` settings) in force.
  ConsentSettings TrackingConsentDefaults() const { return settings_.Current().consent; }
  // The global frequency cap (messages per profile per day; 0 = none) of the settings in force.
  int FrequencyCap() const;

  // ---- views --------------------------------------------------------------------------------
  // Every journey's row without its goal report (Engine::Journeys adds it).
  Result<JourneyList> List() const EXCLUDES(mu_);
  // See Engine::Journey.
  Result<JourneyView> Get(const JourneyId& id) const EXCLUDES(mu_);
  struct Metrics {
    uint64_t queued = 0, committed = 0, cursor = 0, profiles = 0, poison_events = 0;
    std::vector<std::pair<JourneyId, journeys::JourneyStatus>> statuses;
  };
  Metrics metrics() const EXCLUDES(mu_, queue_mu_);

  // ---- privacy: one person (person_data.cc) -------------------------------------------------
  // Forgets `person` (an erasure): their events still queued for the runtime are dropped, each
  // journey they are inside counts an exit with reason `erased` (Runtime::Forget: no event), their
  // journey state record is deleted with the journeys' new counters in one write, and they leave
  // the live split counts. Idempotent. Fills journey_exits, journey_states, queued_inputs.
  Result<PersonForgotten> ForgetPerson(const Person& person) EXCLUDES(mu_, queue_mu_);
  // Fills `out->journeys` (their state in each journey they entered; exits are the caller's, from
  // their events) and `out->recent_sends`.
  void ExportPerson(const Person& person, PersonExport* out) const EXCLUDES(mu_);

  // ---- the runtime's state, for the goal, experiment and replay code -------------------------
  Mutex& mu() const RETURN_CAPABILITY(mu_) { return mu_; }
  journeys::Runtime& runtime() const REQUIRES(mu_) { return *runtime_; }
  // Goals of the journeys (by id), for live attribution and reports.
  const std::map<JourneyId, goals::JourneyGoal, std::less<>>& goals() const REQUIRES(mu_) {
    return goals_;
  }
  // The live counts of split steps SplitWinner decides from (split_counters.h). Touch is
  // thread-safe on its own (the commit thread calls it); everything else needs mu().
  SplitCounters& splits() const REQUIRES(mu_) { return splits_; }
  // Thread-safe snapshots.
  std::vector<ProfileId> ProfilesIn(const JourneyId& journey) const EXCLUDES(mu_);

  // Tests only: called with each event just before the runtime handles it, under mu_ (a throw
  // stands for a rule that fails on that event).
  void SetFaultForTesting(std::function<void(const journeys::InputEvent&)> fault) EXCLUDES(mu_);

 private:
  JourneyService(store::Store& store, const identity::ProfileStore& profiles, EventService& events,
                 DeliveryService& delivery, const SettingsService& settings, const Clock& clock,
                 Hooks hooks);
  Status Load() EXCLUDES(mu_, queue_mu_);
  void ThreadLoop() EXCLUDES(mu_, queue_mu_);
  // Handles everything queued and every timer due at or before `timers_through` (at most `now`),
  // until nothing is left. Called on demand (RunUntilIdle, Apply, SetState) with timers_through ==
  // now; the runtime thread passes now - 1 (ThreadLoop).
  Status Drain(TimeMs now, TimeMs timers_through) REQUIRES(mu_) EXCLUDES(queue_mu_);
  Status Drain(TimeMs now) REQUIRES(mu_) EXCLUDES(queue_mu_) { return Drain(now, now); }
  Status Persist(journeys::Effects& fx, uint64_t cursor, uint64_t merges = 0) REQUIRES(mu_);
  Status HandleEvent(const journeys::InputEvent& e, journeys::Effects* fx, JourneyId* journey)
      REQUIRES(mu_);
  Status SetAside(const journeys::InputEvent& e, const JourneyId& journey, const Status& why);
  void NoteFailure(const Status& s);
  // Copies what the runtime reacts to where OnCommitted reads it.
  void RefreshFilter() REQUIRES(mu_) EXCLUDES(queue_mu_);
  // Keeps the goal of version `def` of a journey for attribution.
  void KeepGoal(const journeys::JourneyDefinition& def) REQUIRES(mu_);

  store::Store& store_;
  const identity::ProfileStore& profiles_;
  EventService& events_;
  DeliveryService& delivery_;
  const SettingsService& settings_;
  const Clock& clock_;
  const Hooks hooks_;
  std::unique_ptr<journeys::Environment> env_;

  mutable Mutex mu_ ACQUIRED_BEFORE(queue_mu_);
  std::unique_ptr<journeys::Runtime> runtime_ PT_GUARDED_BY(mu_);
  uint64_t cursor_ GUARDED_BY(mu_) = 0;  // the last committed seq the runtime has seen (persisted)
  uint64_t merges_applied_ GUARDED_BY(mu_) = 0;  // identity merges applied (persisted)
  std::map<JourneyId, goals::JourneyGoal, std::less<>> goals_ GUARDED_BY(mu_);
  std::unordered_set<std::string> goal_events_ GUARDED_BY(mu_);  // names some goal is met by
  mutable SplitCounters splits_;  // GUARDED_BY(mu_) except Touch/active (their own mutex)
  std::function<void(const journeys::InputEvent&)> fault_for_testing_ GUARDED_BY(mu_);

  // Input from the commit thread.
  mutable Mutex queue_mu_;
  CondVar queue_cv_;
  std::deque<JourneyInput> queue_ GUARDED_BY(queue_mu_);
  uint64_t committed_seq_ GUARDED_BY(queue_mu_) = 0;  // highest seq OnCommitted saw
  uint64_t merges_queued_ GUARDED_BY(queue_mu_) = 0;  // highest merge ordinal queued
  // What the runtime reacts to, copied from it after each change (read by OnCommitted).
  std::unordered_set<std::string> interesting_ GUARDED_BY(queue_mu_);
  bool interested_in_identify_ GUARDED_BY(queue_mu_) = false;
  bool any_live_ GUARDED_BY(queue_mu_) = false;
  bool stop_ GUARDED_BY(queue_mu_) = false;

  // Events the runtime could not handle, set aside (dead-lettered with source "journeys"), and
  // failed timers, merges or segment changes, since open: /metrics.
  std::atomic<uint64_t> poison_events_{0};
  std::thread thread_;
};

// The dead-letter source of events the journeys set aside.
inline constexpr std::string_view kJourneysDeadLetterSource = "journeys";

}  // namespace signpost::engine
