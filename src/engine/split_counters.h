// The live counts of every split step, kept up to date so that SplitWinner decides in O(variants)
// on the journeys' hot path instead of re-reading every entered profile's events. Per split step:
// an experiments::SplitTally (the counts by event time and the daily looks) and each counted
// profile's SplitEntry (its variant, assignment time and conversion time, by the rules of
// experiment_service.h, derived from that profile's stored events by SplitEntriesOf — the function
// the reports count with, so the two agree).
//
// How they stay current: the commit thread calls Touch for every profile a committed event can
// move in a split (CanMove: Journey Entered/Exited, Experiment Assigned, Message
// Sent/Opened/Clicked; an event the journeys or goals react to; an identity merge). The journeys
// thread's next Update (after each round, and before every Winner) re-derives just those profiles
// from their stored events and moves each one's entry in the tally; a late event (time-stamped
// before a look already taken) changes those looks' counts, which are evaluated again. Loaded at
// open in one pass over each split journey's entered profiles; again for a journey whose latest
// definition changed. Nothing is persisted: a restart rebuilds the same counts from the store.
//
// Thread-safety: Touch may be called from any thread (its own mutex). Everything else needs the
// journeys mutex (the owner, JourneysPart, serializes it).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "experiments/split_tally.h"
#include "journeys/journey_definition.h"
#include "signpost/engine.h"

namespace signpost {

namespace engine {
class ExperimentService;
class JourneyService;
}  // namespace engine

class SplitCounters {
 public:
  // `profile`'s stored events changed in a way that may move it in a split; `merged`: it took
  // part in an identity merge (re-derived in every split journey, even before the runtime moved
  // its journeys). Cheap: nothing happens until the next Update. Any thread.
  void Touch(ProfileId profile, bool merged = false);
  // Whether a committed track event named `name` can move its profile in a split whatever the
  // journeys react to: Journey Entered/Exited, Experiment Assigned, Message Sent/Opened/Clicked.
  static bool CanMove(std::string_view name);
  // Whether any split journey is counted yet (before, touches are not needed: the first load reads
  // the store). Any thread.
  bool active() const { return active_.load(std::memory_order_relaxed); }

  // Loads every journey whose latest version has a split step (at open). Journeys mutex held.
  Status LoadAll(const engine::ExperimentService& x, const engine::JourneyService& j);
  // Re-derives the profiles touched since the last call. Journeys mutex held.
  Status Update(const engine::ExperimentService& x, const engine::JourneyService& j);
  // Takes `profile` out of every split's counts (a privacy erasure: its events are being removed,
  // so re-deriving it could still read them). Journeys mutex held.
  void Forget(ProfileId profile);
  // The variant new profiles of split `step` of `journey` (latest version `def`) get once its test
  // is over, nullopt while it runs — after Update, and after loading the journey when it is new or
  // its definition changed. A decided answer is kept for that definition (the test is over).
  // kNotFound when `def` has no split step `step`. Journeys mutex held.
  Result<std::optional<std::string>> Winner(
      const engine::ExperimentService& x, const engine::JourneyService& j, const JourneyId& journey,
      const std::shared_ptr<const journeys::JourneyDefinition>& def, std::string_view step);

  // Profiles whose stored events were read since construction (each read is one profile), and
  // looks evaluated: for tests and measurements.
  uint64_t profile_reads() const { return profile_reads_; }
  uint64_t evaluations() const;

 private:
  struct Split {
    const journeys::Step* step = nullptr;  // in `def` of its journey
    experiments::SplitTally tally;
    std::unordered_map<uint64_t, experiments::SplitEntry> entries;  // by profile
    std::optional<std::string> decided;  // the final answer for this definition
  };
  struct Journey {
    std::shared_ptr<const journeys::JourneyDefinition> def;  // the version counted on
    std::vector<Split> splits;                               // its split steps, in order
  };
  Status Load(const engine::ExperimentService& x, const engine::JourneyService& j,
              const JourneyId& id, std::shared_ptr<const journeys::JourneyDefinition> def);
  // Re-reads `profile` and moves its entries in `journey`'s splits.
  Status Rederive(const engine::ExperimentService& x, const engine::JourneyService& j,
                  const JourneyId& id, Journey& journey, ProfileId profile);

  std::map<JourneyId, Journey, std::less<>> journeys_;  // journeys with a split step
  uint64_t profile_reads_ = 0;
  uint64_t dropped_evaluations_ = 0;  // evaluations of tallies since replaced

  std::atomic<bool> active_{false};
  std::mutex touched_mu_;
  std::unordered_map<uint64_t, bool> touched_;  // profile -> merged; guarded by touched_mu_
};

}  // namespace signpost
