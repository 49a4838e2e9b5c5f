// The funnel kernel (internal to src/analytics): a definition compiled against an index into
// per-name bitmask tables (FunnelPlan), the per-profile preparation of step masks, and the
// attempt matcher. funnel_query.cc drives it over profiles in parallel.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"

namespace signpost::analytics {

class StepProjection;

// A matcher with conditions, evaluated per event (name-only matchers live in the tables).
struct CompiledMatcher {
  uint64_t bit = 0;  // the step (or exclusion) it fills
  uint32_t name = 0;
  std::vector<std::pair<const PropertyColumn*, const rules::Condition*>> conditions;
};

struct CompiledStatus {
  uint64_t bit = 0;
  const PropertyColumn* column = nullptr;
  const rules::Condition* condition = nullptr;
};

struct CompiledExclusion {
  int bit = 0;        // bit in the exclusion mask
  int from_step = 0;  // 0-based
  int to_step = 0;    // 0-based
};

struct FunnelPlan {
  int steps = 0;
  int required = 0;  // number of required steps
  uint64_t all_mask = 0;
  uint64_t required_mask = 0;
  std::vector<int> step_of_rank;  // required rank -> step index
  std::vector<int> rank_of_step;  // step index -> rank, -1 for optional
  // For the step just filled: the steps that may come next (up to and including the next
  // required one), as a mask. 0 after the last step.
  uint64_t cand_after[kMaxSteps] = {};
  OrderMode order = OrderMode::kOrdered;
  EntryMode entry = EntryMode::kAnyAttempt;
  DurationMs window = 0;
  TimeMs from = INT64_MIN, to = INT64_MAX;

  std::vector<uint64_t> name_steps;  // name id -> steps it fills without conditions
  std::vector<uint64_t> name_excl;   // name id -> exclusions it triggers without conditions
  std::vector<uint8_t> name_has_conditional;   // name id -> 1 when a conditional matcher names it
  std::vector<CompiledMatcher> step_matchers;  // conditional step matchers
  std::vector<CompiledMatcher> excl_matchers;  // conditional exclusion matchers
  std::vector<CompiledStatus> status_steps;
  std::vector<CompiledExclusion> exclusions;
  std::vector<const PropertyColumn*> hold;
  bool simple = true;  // masks come from name_steps alone
};

// Compiles `def` for `index`, loading the columns it needs through `source`.
Result<FunnelPlan> CompilePlan(const EventIndex& index, const FunnelDefinition& def,
                               const PropertySource* source);

// One profile's events with their step masks.
struct PreparedProfile {
  ProfileView view;
  std::vector<uint64_t> mask;  // steps each event can fill
  std::vector<uint64_t> excl;  // exclusions each event triggers (empty when none defined)
  std::vector<uint32_t> hold;  // held-value id per event, 0 = lacks it (empty when no hold)
};

// Fills `out` for `view`. Thread-safe for distinct `out`s.
void PrepareProfile(const FunnelPlan& plan, const ProfileView& view, PreparedProfile* out);

// True when the plan can be counted by BestLevel (ordered, any_attempt, name-only matchers, no
// optional steps, exclusions or held properties): levels only, no timings.
bool CountsByBestLevel(const FunnelPlan& plan);

// The level of the best attempt of one profile (0 = never entered), in one pass over its events:
// for each level, the latest start time of a partial chain that reached it (a later start
// leaves more of the window). Equals the best attempt of RunAttempt under CountsByBestLevel.
inline int BestLevel(const FunnelPlan& plan, const TimeMs* ts, const uint32_t* name, size_t n) {
  TimeMs start[kMaxSteps];
  int level = 0;  // levels 1..level have a valid start[level-1]
  const uint64_t* table = plan.name_steps.data();
  const TimeMs window = plan.window;
  for (size_t i = 0; i < n; ++i) {
    uint64_t m = table[name[i]];
    if (m == 0) continue;
    const TimeMs t = ts[i];
    // Highest step first, so one event fills at most one step of a chain.
    m &= (uint64_t{2} << level) - 1;  // steps 0..level can be filled
    while (m != 0) {
      const int k = 63 - std::countl_zero(m);
      m &= ~(uint64_t{1} << k);
      if (k == 0) {
        if (t >= plan.from && t < plan.to) {
          start[0] = t;
          if (level == 0) level = 1;
        }
      } else if (t - start[k - 1] <= window) {
        if (k == level) {
          start[k] = start[k - 1];
          level = k + 1;
        } else if (start[k - 1] > start[k]) {
          start[k] = start[k - 1];
        }
      }
    }
    if (level == plan.steps) break;
  }
  return level;
}

// BestLevel over a step projection (step_projection.h): `dt` are times relative to `base`, `mask`
// the steps each event's name fills. The same rules, step for step, as BestLevel.
inline int BestLevelNarrow(const FunnelPlan& plan, TimeMs base, const uint32_t* dt,
                           const uint8_t* mask, size_t n) {
  int64_t start[kMaxSteps];
  int level = 0;
  const int64_t window = plan.window;
  const int steps = plan.steps;
  // The date range relative to base (saturated: the times are in [0, 2^32)).
  int64_t from, to;
  if (__builtin_sub_overflow(plan.from, base, &from))
    from = plan.from < base ? INT64_MIN : INT64_MAX;
  if (__builtin_sub_overflow(plan.to, base, &to)) to = plan.to < base ? INT64_MIN : INT64_MAX;
  for (size_t i = 0; i < n; ++i) {
    uint32_t m = mask[i] & 0x7f & ((uint32_t{2} << level) - 1);  // bit 7 flags a profile start
    const int64_t t = dt[i];
    while (m != 0) {
      const int k = 31 - std::countl_zero(m);
      m &= ~(uint32_t{1} << k);
      if (k == 0) {
        if (t >= from && t < to) {
          start[0] = t;
          if (level == 0) level = 1;
        }
      } else if (t - start[k - 1] <= window) {
        if (k == level) {
          start[k] = start[k - 1];
          level = k + 1;
        } else if (start[k - 1] > start[k]) {
          start[k] = start[k - 1];
        }
      }
    }
    if (level == steps) break;
  }
  return level;
}

// Adds to reach[k] (k < StepProjection::kMaxSteps) the number of profiles of projection chunk `c`
// whose best chain (BestLevel's rules) reached step k + 1, leaving out profile p when skip[p]
// (skip may be null). AVX-512 where the CPU has it (the chunk's events as two interleaved
// streams, no branch per event), else BestLevelNarrow per profile. Requires plan.window < 2^60.
void ReachInChunk(const FunnelPlan& plan, const StepProjection& proj, uint32_t c,
                  const uint8_t* skip, uint64_t* reach);
// Tests: false makes ReachInChunk take the scalar path on every CPU (so both paths are tested on a
// machine with AVX-512); true (the default) lets it use the vector kernel where the CPU has it.
void AllowVectorKernelForTesting(bool allowed);
// False after AllowVectorKernelForTesting(false): the vector kernels stand aside.
bool VectorKernelAllowed();
// Tests: false makes the counts-only kernel count on the sealed columns (ColumnCounter) on every
// run, never on a step projection; true (the default) uses the projection from a step set's second
// run on (funnel_query.cc).
void AllowStepProjectionForTesting(bool allowed);

// BestLevel counts over the sealed columns (funnel_columns.cc), what the first query of a step set
// runs on: with AVX-512 and at most kMaxColumnIds step names, the name column is compared 16 events
// at a time, only the step events are read further (their profile, mask and time, listed in a
// scratch per chunk) and run through the stream kernel of ReachInChunk; else BestLevel per profile.
// Requires CountsByBestLevel(plan), plan.steps <= kMaxSteps and plan.window < 2^60.
// Thread-safety: Count is const; one Scratch per thread.
class ColumnCounter {
 public:
  static constexpr int kMaxSteps = 7;
  static constexpr int kMaxColumnIds = 8;
  struct Scratch {
    std::vector<uint32_t> pos;
    std::vector<uint64_t> starts;
    std::vector<uint32_t> prefix;
    std::vector<uint8_t> skipped;
    std::vector<int64_t> ts;
    std::vector<uint8_t> mask;
  };

  ColumnCounter(const FunnelPlan& plan, const EventIndex& index);
  // Adds to reach[k] (k < kMaxSteps) the profiles of sealed slots [s0, s1) (s1 <= SealedSlots())
  // whose best chain reached step k + 1, leaving out slot s when skip[s - s0] (skip may be null).
  void Count(uint32_t s0, uint32_t s1, const uint8_t* skip, Scratch* scratch,
             uint64_t* reach) const;

 private:
  void CountScalar(uint32_t s0, uint32_t s1, const uint8_t* skip, uint64_t* reach) const;

  const FunnelPlan& plan_;
  const EventIndex& index_;
  std::vector<uint8_t> table_;  // name id -> step mask
  uint32_t ids_[kMaxColumnIds] = {};
  int nids_ = 0;  // names that fill some step (only the first kMaxColumnIds are in ids_)
  bool vector_ = false;
};

// One attempt: the start event and which steps it filled with which events.
struct Attempt {
  int start = 0;
  int level = 0;                 // required steps reached (1 = entered)
  uint64_t filled = 0;           // steps filled (required and optional)
  int32_t pos[kMaxSteps];        // event index that filled each step (valid where filled)
  int32_t level_pos[kMaxSteps];  // event index at which level r+1 was reached
};

// Runs the attempt starting at event `start` (which must fill step 1). Returns false when an
// exclusion disqualifies it. `*ran_out` is set when the scan reached the profile's last event
// inside the window (so, in ordered mode, no later start can reach further).
bool RunAttempt(const FunnelPlan& plan, const PreparedProfile& p, int start, Attempt* a,
                bool* ran_out);

// True when event i can start an attempt (fills step 1, in the date range, holds a value).
inline bool CanStart(const FunnelPlan& plan, const PreparedProfile& p, size_t i) {
  return (p.mask[i] & 1) != 0 && p.view.ts[i] >= plan.from && p.view.ts[i] < plan.to &&
         (plan.hold.empty() || p.hold[i] != 0);
}

// Calls `sink(const Attempt&)` for the attempts the entry mode counts: the best (any_attempt),
// the first (first_entry) or every one (each_attempt; with `best_only`, the best instead).
// `a` and `b` are scratch. Returns the number of attempts passed to the sink.
template <class Sink>
int ForEachCountedAttempt(const FunnelPlan& plan, const PreparedProfile& p, bool best_only,
                          Attempt* a, Attempt* b, Sink&& sink) {
  const size_t n = p.view.size;
  const bool each = plan.entry == EntryMode::kEachAttempt && !best_only;
  const bool first = plan.entry == EntryMode::kFirstEntry;
  const bool prune_ran_out =
      plan.order == OrderMode::kOrdered && plan.hold.empty() && plan.exclusions.empty();
  Attempt* best = nullptr;
  Attempt* cur = a;
  int counted = 0;
  for (size_t s = 0; s < n; ++s) {
    if (!CanStart(plan, p, s)) continue;
    bool ran_out = false;
    bool ok = RunAttempt(plan, p, static_cast<int>(s), cur, &ran_out);
    if (each) {
      if (ok) {
        sink(*cur);
        ++counted;
      }
      continue;
    }
    if (ok && (best == nullptr || cur->level > best->level)) {
      best = cur;
      cur = (cur == a) ? b : a;
    }
    if (first) break;
    if (best != nullptr && best->level == plan.required) break;
    if (prune_ran_out && ok && ran_out) break;
  }
  if (best != nullptr) {
    sink(*best);
    ++counted;
  }
  return counted;
}

}  // namespace signpost::analytics
