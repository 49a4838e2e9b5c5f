// The counts of one split step by event time, and its sequential decision at daily looks — the
// decision rules of a split test in one place. The live engine keeps one per split step up to date
// as profiles are assigned and convert (so deciding costs O(variants) on the journeys' hot path);
// the reports build one from the stored events; both therefore decide alike.
//
// The rules: the test starts at the first assignment; it is looked at daily (started + 1 day,
// + 2 days, ...) and, with an end date, once more at max(end date, started); each look evaluates
// (Evaluate, decision only) the counts as of that look — profiles assigned at or before it, and of
// those the ones converted at or before it; the first look whose decision is not kRunning decides
// the test (`decided_at`). A late event (time-stamped at or before a look already evaluated)
// changes the counts of those looks, which are evaluated again.
//
// Not thread-safe: the owner serializes every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "experiments/experiment.h"
#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::experiments {

// One profile in a split, as the counts see it.
struct SplitEntry {
  size_t variant = 0;                  // index into the split's variants
  TimeMs at = 0;                       // its (first counted) assignment
  std::optional<TimeMs> converted_at;  // when it met the metric; counted from max(at, this)
  bool operator==(const SplitEntry&) const = default;
};

// The test's state at a time.
struct SplitDecision {
  ExperimentDecision decision = ExperimentDecision::kRunning;
  std::optional<size_t> winner;      // set with kWinner
  std::optional<size_t> assign_to;   // the variant every new profile gets; unset while running
  std::optional<TimeMs> decided_at;  // the look that decided; unset while running
};

class SplitTally {
 public:
  // `variants`: the split's variant ids in order (the first is the default). `ends_at`: its end
  // date, if any. The policy is ExperimentPolicy's defaults with that end date.
  SplitTally(std::vector<std::string> variants, std::optional<TimeMs> ends_at);

  // Counts one profile (`entry.variant` < variants). O(log n), plus O(looks evaluated) when it is
  // time-stamped at or before a look already evaluated.
  void Add(const SplitEntry& entry);
  // Takes back one profile exactly as it was added (a profile whose entry changed is removed,
  // then added again). Removing what was not added is a programmer error.
  void Remove(const SplitEntry& entry);

  // The first assignment; nullopt when no one is counted.
  std::optional<TimeMs> started() const;
  // Profiles counted.
  uint64_t size() const { return size_; }
  // Per variant (ids as given): profiles assigned at or before `at`, and of those, converted at or
  // before `at`. O(distinct times).
  std::vector<VariantCounts> CountsAt(TimeMs at) const;

  // The decision at `now`: the first look at or before `now` that ends the test, else kRunning.
  // Evaluates only the looks that came since the last call or whose counts changed since; with
  // neither, O(1). Errors are Evaluate's (not expected for a split a definition accepted).
  Result<SplitDecision> Decide(TimeMs now);

  // Looks evaluated since construction (Evaluate calls), for tests and measurements.
  uint64_t evaluations() const { return evaluations_; }

 private:
  struct Look {
    TimeMs at = 0;
    std::vector<VariantCounts> counts;  // as of `at`
    SplitDecision decision;             // decided_at set when not running
  };
  // Adds `delta` to the entered (`converted` false) or converted count of `variant` at time `t`.
  void Change(TimeMs t, size_t variant, bool converted, int64_t delta);
  // The first look of a test started at `started`, and the look after `previous`.
  TimeMs FirstLook(TimeMs started) const;
  TimeMs LookAfter(TimeMs previous, TimeMs started) const;
  Status Evaluate(Look& look, TimeMs started);

  std::vector<std::string> variants_;
  ExperimentPolicy policy_;  // decision only: probability_draws = 1
  // time -> per variant {entered, converted} changes at that time (2 per variant); never all 0.
  std::map<TimeMs, std::vector<int64_t>> changes_;
  std::map<TimeMs, uint64_t> starts_;  // assignment times, with multiplicity
  uint64_t size_ = 0;
  // The looks evaluated so far for `looks_started_`, in time order; none after the first that
  // decided. Those from `stale_from_` on have current counts but an old decision.
  std::vector<Look> looks_;
  std::optional<TimeMs> looks_started_;
  size_t stale_from_ = 0;
  uint64_t evaluations_ = 0;
};

}  // namespace signpost::experiments
