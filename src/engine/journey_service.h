// JourneyService: the live journey runtime — N partitions by profile, each with its input queue
// from the commit thread, its thread, its runtime and its durable state (profile states, journey
// counters, cursor) — journey definitions and their lifecycle, and the journeys' goals and split
// decisions that the runtimes' callbacks read.
//
// Partitions (src/journeys/README.md, "Partitions"): a profile belongs to partition
// journeys::PartitionOf(profile, N); OnCommitted routes each input to its profile's partition, a
// lifecycle change (Apply, SetState, settings, a segment change) goes to every partition, and an
// identity merge across two partitions is handed over in commit order (the partition of the
// merged-away profile exports its state once its round is durable; the partition of the survivor
// waits for it at its own copy of the merge). Views sum the partitions' counters.
//
// Durability, per partition: the runtime's decisions are made durable in this order: (1) its
// system events (deterministic message ids, so a repeat stores nothing), then (2) one atomic write
// of the changed profile states, journey counters, outbox messages and the cursor (the last
// committed seq seen). A crash between (1) and (2) re-processes from the old cursor and produces
// the same events and the same outbox keys, so nothing is lost or sent under a second key, and no
// timer fires twice. A lifecycle change writes every partition's effects in one write.
//
// Thread-safety: every public method may be called from any thread unless it says otherwise.
// Locks, in the order they may be taken: the partitions' `mu` (one partition's thread takes only
// its own; a lifecycle change takes every one, in index order), then `mu_` (goals, the catalog of
// definitions and who entered what, the split counts: the goal, experiment, channel and replay
// code reads them under `mu()` through the REQUIRES(mu()) accessors), then the channel service's;
// `route_mu_` then a partition's `queue_mu`, and `handoff_mu_`, are taken with nothing after them.
// OnCommitted (the commit thread) never waits for a partition's `mu` nor for `mu_`.
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
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/mutex.h"
#include "engine/delivery_service.h"
#include "engine/event_service.h"
#include "engine/journey_partition.h"
#include "engine/person.h"
#include "engine/settings.h"
#include "engine/split_counters.h"
#include "goals/attribution.h"
#include "identity/records.h"
#include "journeys/runtime.h"
#include "signpost/engine.h"

namespace signpost::engine {

// The definitions of every journey version and who ever entered each journey, across partitions
// (the runtimes keep their own copies of the definitions; this is what the goal, experiment,
// channel and replay code reads). Not thread-safe: the JourneyService guards it with mu().
class JourneyCatalog {
 public:
  void Add(std::shared_ptr<const journeys::JourneyDefinition> def, uint64_t version);
  // Version `version` of journey `id` (0: the latest); nullptr when unknown.
  std::shared_ptr<const journeys::JourneyDefinition> Definition(const JourneyId& id,
                                                                uint64_t version) const;
  std::vector<JourneyId> JourneyIds() const;
  // Profiles that ever entered journey `id`, by id.
  std::vector<ProfileId> ProfilesIn(const JourneyId& id) const;
  bool In(ProfileId profile, const JourneyId& id) const;
  // `profile`'s state is now `state` (nullptr: none).
  void Note(ProfileId profile, const journeys::ProfileState* state);

 private:
  std::map<JourneyId, std::map<uint64_t, std::shared_ptr<const journeys::JourneyDefinition>>,
           std::less<>>
      versions_;
  std::unordered_map<JourneyId, std::unordered_set<uint64_t>> members_;
};

// How the JourneyService runs its partitions (JourneyService::Open).
struct JourneyTuning {
  uint32_t partitions = 1;  // 0: as the folder was written, else 1
  // Per partition: past this many queued events with their payload, a queued event keeps only
  // its seq and profile (re-read from the store when its round comes), so a partition far behind
  // holds a bounded amount of event data.
  size_t queue_payloads = 100'000;
  // A round handles at most this many inputs (at most queue_payloads), then makes them durable
  // (a partition far behind moves its cursor, and a round re-reads at most this many spilled
  // events at once: the event data a partition holds stays under 2 x queue_payloads).
  size_t round_items = 10'000;
};

class JourneyService {
 public:
  // What the runtime needs from the services after it in the data flow (the engine wires them).
  struct Hooks {
    // The environment a partition's runtime reads profiles through (live), reading the journeys'
    // state through the service given; called once per partition, at Open.
    std::function<std::unique_ptr<journeys::Environment>(const JourneyService&)> environment;
    // What a journey definition may refer to, checked against the stored definitions.
    std::function<journeys::References()> references;
    // Records the goal credits of `profiles` (`Goal Attained`); called with mu() held.
    std::function<Status(const std::unordered_set<uint64_t>& profiles)> record_goal_credits;
    // Loads the live split counts at open / re-reads the profiles touched since (split_counters.h);
    // called with mu() held.
    std::function<Status()> load_splits;
    std::function<Status()> update_splits;
  };

  // Loads every version of every journey and the durable state and queues what was committed after
  // the cursors, into `partitions` partitions (0 = the number the folder was written with, else 1).
  // Stored state written by another number of partitions is read by that number, caught up and
  // re-homed at Start. Every
  // reference outlives the service. Start() begins the work.
  using Tuning = JourneyTuning;
  static Result<std::unique_ptr<JourneyService>> Open(
      store::Store& store, const identity::ProfileStore& profiles, EventService& events,
      DeliveryService& delivery, const SettingsService& settings, const Clock& clock, Hooks hooks,
      Tuning tuning = {});
  // Loads the split counts (the hooks may now reach this service), re-homes stored state written by
  // another number of partitions, then starts the partitions' threads.
  Status Start() EXCLUDES(mu_);
  // Stops the threads (the engine's hooks reach this service until they have stopped). Once.
  void Stop();
  ~JourneyService();

  // ---- input ------------------------------------------------------------------------------
  // The commit thread, after each commit: queues the events the runtime reacts to and the merges
  // the commit caused (before its events), each to its profile's partition. Never waits for a
  // partition's mu nor mu_.
  void OnCommitted(const std::vector<Event>& committed) EXCLUDES(route_mu_);
  // A segment's definition or list changed: re-reads what the runtime reacts to and queues the
  // change in every partition (suppression exits, join-later entries on the partitions' threads).
  void OnSegmentChanged(const SegmentId& segment) EXCLUDES(mu_, route_mu_);
  // Handles everything queued and every timer due at the clock's now (tests on a ManualClock).
  Status RunUntilIdle() EXCLUDES(mu_);

  // ---- definitions and lifecycle --------------------------------------------------------------
  Result<AppliedDefinition> Apply(std::string_view text, std::string_view note) EXCLUDES(mu_);
  // New settings (the settings service's observer): the runtimes take the frequency cap.
  void OnSettings(const Settings& settings);
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
  // Journey `id`'s lifecycle and its counters summed over the partitions; nullopt when unknown.
  std::optional<journeys::JourneyStatus> StatusOf(const JourneyId& id) const EXCLUDES(mu_);
  struct PartitionMetrics {
    uint64_t queued = 0;      // inputs waiting
    uint64_t lag_events = 0;  // committed seq - the partition's cursor (0 when it is idle)
    int64_t oldest_ms = 0;    // age of the oldest queued input (0 when none)
    uint64_t cursor = 0;
    uint64_t profiles = 0;
    uint64_t spilled = 0;  // events queued without their payload since open
  };
  struct Metrics {
    uint64_t queued = 0, committed = 0, cursor = 0, profiles = 0, poison_events = 0;
    std::vector<std::pair<JourneyId, journeys::JourneyStatus>> statuses;
    std::vector<PartitionMetrics> partitions;
  };
  Metrics metrics() const EXCLUDES(mu_);
  // The partition furthest behind, from the queues only (never waits for a runtime): /readyz.
  struct Backlog {
    uint32_t partition = 0;
    uint64_t queued = 0;
    int64_t oldest_ms = 0;
  };
  Backlog backlog() const;
  uint32_t partitions() const { return static_cast<uint32_t>(parts_.size()); }

  // ---- privacy: one person (person_data.cc) -------------------------------------------------
  // Forgets `person` (an erasure): their events still queued for the runtime are dropped, each
  // journey they are inside counts an exit with reason `erased` (Runtime::Forget: no event), their
  // journey state record is deleted with the journeys' new counters in one write, and they leave
  // the live split counts. Idempotent. Fills journey_exits, journey_states, queued_inputs.
  Result<PersonForgotten> ForgetPerson(const Person& person) EXCLUDES(mu_);
  // Fills `out->journeys` (their state in each journey they entered; exits are the caller's, from
  // their events) and `out->recent_sends`.
  void ExportPerson(const Person& person, PersonExport* out) const;

  // ---- the journeys' shared state, for the goal, experiment, channel and replay code ----------
  Mutex& mu() const RETURN_CAPABILITY(mu_) { return mu_; }
  const JourneyCatalog& catalog() const REQUIRES(mu_) { return catalog_; }
  // Goals of the journeys (by id), for live attribution and reports.
  const std::map<JourneyId, goals::JourneyGoal, std::less<>>& goals() const REQUIRES(mu_) {
    return goals_;
  }
  // The live counts of split steps SplitWinner decides from (split_counters.h). Touch is
  // thread-safe on its own (the commit thread calls it); everything else needs mu().
  SplitCounters& splits() const REQUIRES(mu_) { return splits_; }
  // Thread-safe snapshots.
  std::vector<ProfileId> ProfilesIn(const JourneyId& journey) const EXCLUDES(mu_);

  // Tests only: called with each event just before a runtime handles it, under its partition's
  // lock (a throw stands for a rule that fails on that event).
  void SetFaultForTesting(std::function<void(const journeys::InputEvent&)> fault);
  // Tests only: while set, partition `partition`'s thread handles nothing (its queue grows; its
  // cursor stays), as a partition far behind the others; RunUntilIdle still drains it.
  void HoldPartitionForTesting(uint32_t partition, bool held);

 private:
  // One partition (journey_partition.h) and the state it hands over at a merge.
  using Partition = JourneyPartition;
  using Exported = JourneyExported;
  // One partition's effects to make durable (Persist).
  struct PartitionEffects {
    Partition* partition;
    journeys::Effects* fx;
    uint64_t cursor = 0, merges = 0;
  };

  JourneyService(store::Store& store, const identity::ProfileStore& profiles, EventService& events,
                 DeliveryService& delivery, const SettingsService& settings, const Clock& clock,
                 Hooks hooks);
  Status Load(uint32_t partitions) EXCLUDES(mu_);
  // Writes the stored state of `from` partitions as `to` partitions would have written it, after
  // everything is caught up (Start).
  Status Rehome(uint32_t to) EXCLUDES(mu_);
  void ThreadLoop(Partition& p);
  // Handles `p`'s queue and its timers due at or before `timers_through` (at most `now`), round
  // after round until nothing is left, or until it reaches a merge whose state the other partition
  // has not handed over yet (`*blocked`). Called on demand (RunUntilIdle, Apply, SetState) with
  // timers_through == now; the partition's thread passes now - 1 (ThreadLoop).
  Status Drain(Partition& p, TimeMs now, TimeMs timers_through, bool* blocked) REQUIRES(p.mu)
      EXCLUDES(mu_);
  // Drains every partition until all are idle. Every partition's mu held (the caller's AllLocked).
  Status DrainAll(TimeMs now, TimeMs timers_through) EXCLUDES(mu_);
  // Makes the effects durable: system events, then one write of every partition's part.
  Status Persist(std::vector<PartitionEffects> parts) EXCLUDES(mu_);
  Status HandleEvent(Partition& p, const journeys::InputEvent& e, journeys::Effects* fx,
                     JourneyId* journey) REQUIRES(p.mu);
  Status SetAside(const journeys::InputEvent& e, const JourneyId& journey, const Status& why);
  void NoteFailure(const Status& s);
  // Copies what the runtime reacts to where OnCommitted reads it (partition 0's runtime: every
  // partition has the same journeys).
  void RefreshFilter() EXCLUDES(route_mu_);
  void RefreshFilterFrom(Partition& p0) REQUIRES(p0.mu) EXCLUDES(route_mu_);
  // Keeps the goal of version `def` of a journey for attribution.
  void KeepGoal(const journeys::JourneyDefinition& def) REQUIRES(mu_);
  Partition& PartitionOf(ProfileId profile) const;
  // Queues `in` at the end of `p`'s queue, without its payload past the bound.
  void Enqueue(Partition& p, JourneyInput in) REQUIRES(p.queue_mu);
  // Reads the spilled events of `batch` back from the store (those erased since are dropped).
  Status Rehydrate(std::deque<JourneyInput>& batch);
  void Publish(Partition& p) REQUIRES(p.mu) EXCLUDES(handoff_mu_);

  store::Store& store_;
  const identity::ProfileStore& profiles_;
  EventService& events_;
  DeliveryService& delivery_;
  const SettingsService& settings_;
  const Clock& clock_;
  const Hooks hooks_;
  std::vector<std::unique_ptr<Partition>> parts_;
  uint32_t wanted_partitions_ = 1;  // the number asked for (Start re-homes when it differs)
  Tuning tuning_;

  mutable Mutex mu_;
  JourneyCatalog catalog_ GUARDED_BY(mu_);
  std::map<JourneyId, goals::JourneyGoal, std::less<>> goals_ GUARDED_BY(mu_);
  mutable SplitCounters splits_;  // GUARDED_BY(mu_) except Touch/active (their own mutex)

  // Routing of the commit thread's input.
  mutable Mutex route_mu_;
  uint64_t committed_seq_ GUARDED_BY(route_mu_) = 0;  // highest seq OnCommitted saw
  uint64_t merges_queued_ GUARDED_BY(route_mu_) = 0;  // highest merge ordinal queued
  // What the runtime reacts to, copied from it after each change (read by OnCommitted).
  std::unordered_set<std::string> interesting_ GUARDED_BY(route_mu_);
  bool interested_in_identify_ GUARDED_BY(route_mu_) = false;
  bool any_live_ GUARDED_BY(route_mu_) = false;

  // Identity merges across partitions: the merged-away profile's state by merge ordinal, published
  // by its partition once durable, taken by the survivor's (nullopt: it had none).
  mutable Mutex handoff_mu_;
  std::map<uint64_t, std::optional<journeys::ProfileState>> handoffs_ GUARDED_BY(handoff_mu_);

  // Events the runtime could not handle, set aside (dead-lettered with source "journeys"), and
  // failed timers, merges or segment changes, since open: /metrics.
  std::atomic<uint64_t> poison_events_{0};
};

// The per-partition lines of /metrics (Prometheus text): partitions, and per partition its queue,
// its lag in committed seqs and the age of its oldest queued input.
std::string JourneyPartitionMetricsText(const JourneyService::Metrics& m);

// The dead-letter source of events the journeys set aside.
inline constexpr std::string_view kJourneysDeadLetterSource = "journeys";

}  // namespace signpost::engine
