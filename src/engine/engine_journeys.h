// The journeys area's state inside Engine::Impl (see engine_journeys.cc): the live runtime, its
// input queue and thread, the journeys' goals, and the environment the runtime reads profiles
// through.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_set>

#include "engine/engine_channels.h"
#include "engine/engine_impl.h"
#include "engine/split_counters.h"
#include "goals/attribution.h"
#include "identity/records.h"
#include "journeys/runtime.h"

namespace signpost {

// Reads profiles for the runtime through the store, the segments area and the funnels.
class EngineEnvironment;

// One item of the runtime's input, in commit order: an event, or an identity merge (the runtime
// moves the merged profile's journeys before it sees the events filed under the surviving profile).
struct JourneyInput {
  journeys::InputEvent event;
  std::optional<identity::MergeRecord> merge;
  std::string segment_changed;  // or: this segment changed (Runtime::SegmentChanged)
};

struct JourneysPart {
  JourneysPart();
  ~JourneysPart();

  std::unique_ptr<EngineEnvironment> env;
  // The live runtime. `mu` serializes every use of it (the journey thread, RunJourneysUntilIdle,
  // lifecycle calls). Never held while waiting for the commit thread's OnCommitted.
  std::mutex mu;
  std::unique_ptr<journeys::Runtime> runtime;
  uint64_t cursor = 0;          // the last committed seq the runtime has seen (persisted)
  uint64_t merges_applied = 0;  // identity merges (by ordinal) applied to the runtime (persisted)

  // Input from the commit thread (its own mutex: OnCommitted never waits for `mu`).
  std::mutex queue_mu;
  std::condition_variable queue_cv;
  std::deque<JourneyInput> queue;
  uint64_t committed_seq = 0;  // highest seq OnCommitted saw, filtered out or not
  uint64_t merges_queued = 0;  // highest merge ordinal queued
  // What the runtime reacts to, copied from it after each change (read by OnCommitted).
  std::unordered_set<std::string> interesting;
  bool interested_in_identify = false;
  bool any_live = false;

  // Goals of the journeys (by id), for live attribution and reports.
  std::map<std::string, goals::JourneyGoal> goals;
  std::unordered_set<std::string> goal_events;  // event names some goal is met by

  // The bandits of `channel: auto` steps (engine_channels.h), loaded on first use; guarded by `mu`.
  ChannelBandits channels;
  // The live counts of split steps SplitWinner decides from (split_counters.h): guarded by `mu`,
  // except Touch (the commit thread, its own mutex).
  SplitCounters splits;

  // Events the runtime could not handle, set aside (dead-lettered with source "journeys") since
  // this engine opened: /metrics signpost_journey_poison_events_total.
  std::atomic<uint64_t> poison_events{0};
  // Tests only: called with each event just before the runtime handles it, under the same guard (a
  // throw stands for a rule that fails on that event). Empty in production. Guarded by `mu`.
  std::function<void(const journeys::InputEvent&)> fault_for_testing;

  std::thread thread;
  bool stop = false;  // guarded by queue_mu
};

}  // namespace signpost

namespace signpost {
// The environment the runtime reads profiles through (live and replay). With `channels`, its
// `channel: auto` choices come from (and are counted in) that ChannelBandits, under keys of their
// own, never reusing a stored choice (a replay); without, from the live one in JourneysPart.
std::unique_ptr<journeys::Environment> MakeEnvironment(const Engine::Impl& m,
                                                       ChannelBandits* channels = nullptr);
// The dead-letter source of events the journeys set aside.
inline constexpr std::string_view kJourneysDeadLetterSource = "journeys";
// The per-data-folder key system message ids are derived from (journeys::SystemMessageId), created
// at the first open and kept in Cf::kJourneys.
Result<std::string> SystemIdKey(Engine::Impl& m);
// The global frequency cap from the `kind: settings` definition (0 = none).
int FrequencyCap(const Engine::Impl& m);
// What a journey definition refers to (segments, templates, channels, funnels, its goal), checked
// against the stored definitions.
journeys::References JourneyReferences(const Engine::Impl& m);
// The daily frequency cap of a `kind: settings` text (0 = none); kInvalidArgument naming the field.
Result<int> ParseSettingsCap(std::string_view text);
// The runtime's view of a stored event of `profile`.
journeys::InputEvent InputOf(const Event& e, ProfileId profile);
// Step analytics of a journey: the entry node, then each step of `def` with inflow, in progress,
// passed on, exits by reason and the edges to the next steps.
nlohmann::json StepAnalyticsJson(const journeys::JourneyDefinition& def,
                                 const journeys::JourneyStatus& st);
// {entered, entered_holdout, entries, in_progress, completed, exited}.
nlohmann::json JourneyTotals(const journeys::JourneyStatus& st);
}  // namespace signpost
