// NextBestActionService: for a person stuck at step k of a funnel (reached k, not k+1), the
// journeys and messages that measured the highest holdout lift on converting k → k+1 among people
// like them (at the same step, in the same segment), with the interval — or "not enough evidence".
// What journeys read through `next_best_action:` branch conditions and
// `{{next_best_action.<funnel>}}` template values, what GET /api/funnels/{id}/next-best-action and
// GET /api/profiles/{id}/next-best-action answer, and `signpost funnel F --next-best-action K`.
//
// The population, exactly (goal-step.md: "recommend next-best actions"; journey-goals.md: the
// holdout is stable per person and journey, and its members walk the journey receiving nothing):
// - Funnel F's latest stored version, step k a required step before the last required one, its
//   target the next required step k+1. Each person's attempt is the one the people lists use (the
//   best attempt, over every step-1 event); with a `consent:` requirement, only people who count.
// - At step k when entering journey J: a `Journey Entered` of J after the event that reached step
//   k, before the event that reached k+1 (when it was reached) and with a timestamp inside the
//   attempt's window (from its step-1 event, bound inclusive). A person counts once per journey,
//   by its first such entry; treated or held out by that entry's `holdout` property.
// - Converted: the attempt reached step k+1 (after the entry, inside the window), by the
//   snapshot's time.
// - A message row (J/S): the treated people of J who were delivered S (`Message Delivered` of J
//   and S) after the entry and before reaching k+1, against J's held-out people. Only the journey
//   row compares two randomized groups; a message row compares recipients (as treated) with J's
//   holdout, so it is exact when S is sent at entry and biased when people leave J before S (the
//   "where the data allows" of the issue: holdout members leave no trace at message steps).
// - Groups: everyone, and each segment of the funnel's `next_best_action: { segments: [...] }`
//   by its membership at the snapshot's time (the segment service's members then).
// - Per row: treated and held-out counts, the lift (treated rate - held-out rate) with its 95%
//   Newcombe interval (experiments/next_best_action.h, over experiment_lift.h and stats.h); the
//   row is tested when both groups have at least `min_count` people (the funnel's
//   `next_best_action.min_count`, default 30) and positive when tested with the interval's lower
//   bound above 0. The recommendation: the positive row with the highest lift; none positive: ""
//   and evidence "none" ("not enough evidence").
// - A person's recommendation as of time t: their position in F as of t (events at or before t:
//   FunnelService::PositionOf); stuck at k when they completed required step k and a next
//   required step exists (k >= 1); their group: the first of the funnel's segments they are a
//   member of at t, else everyone — never another group's answer (a member of a segment with no
//   evidence gets "none" even if everyone's table has a recommendation).
// - Snapshots: one per (funnel, step), computed from the stored events as of the clock's now when
//   first asked, kept for `refresh` (default 1 hour of the engine clock) and recomputed on the
//   first question after that (or at once with `refresh` in a query, or when the clock went
//   back). The journey runtime reads the snapshot: a branch or a message never recomputes per
//   event; at most one computation per (funnel, step) per `refresh`. A replay reads today's
//   snapshot (the person's position and segment as of the replayed time).
//
// Thread-safety: every method may be called from any thread; the cache is under `mu_`, taken only
// to read or store a snapshot (never while computing one: two threads may compute the same
// snapshot at once, the later one is kept).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/mutex.h"
#include "engine/funnel_service.h"
#include "engine/segment_service.h"
#include "identity/profile_store.h"
#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/insights.h"

namespace signpost::engine {

struct NextBestActionOptions {
  DurationMs refresh = kHourMs;  // a snapshot's life on the engine clock; default 1 hour
  size_t max_snapshots = 1024;   // (funnel, step) snapshots kept; the oldest go first
};

class NextBestActionService {
 public:
  using Options = NextBestActionOptions;
  // Every reference outlives the service.
  NextBestActionService(const FunnelService& funnels, const SegmentService& segments,
                        const identity::ProfileStore& profiles, const Clock& clock,
                        Options options = {});

  // The tables of query.funnel's step query.step (every table, or the one of query.segment):
  // kNotFound for an unknown funnel or a segment the funnel does not name; kInvalidArgument for a
  // step without a next required step; kFailedPrecondition without the analytics index.
  Result<NextBestActionReport> Report(const NextBestActionQuery& query) const EXCLUDES(mu_);
  // `profile`'s recommendation in stored funnel `funnel` as of `at` (the rules above). kNotFound
  // for an unknown funnel.
  Result<ProfileNextBestAction> ForProfile(const FunnelId& funnel, ProfileId profile,
                                           TimeMs at) const EXCLUDES(mu_);
  // The same for an identity ("user:42", a profile id...) as of the clock's now; kNotFound for an
  // unknown identity.
  Result<ProfileNextBestAction> ForIdentity(const FunnelId& funnel, std::string_view profile) const
      EXCLUDES(mu_);

 private:
  using Snapshot = std::shared_ptr<const NextBestActionReport>;
  // The cached snapshot of (funnel, step), recomputed when stale or when `refresh`.
  Result<Snapshot> SnapshotOf(const FunnelId& funnel, int step, bool refresh) const EXCLUDES(mu_);

  const FunnelService& funnels_;
  const SegmentService& segments_;
  const identity::ProfileStore& profiles_;
  const Clock& clock_;
  const Options options_;
  mutable Mutex mu_;
  mutable std::map<std::pair<std::string, int>, Snapshot> snapshots_ GUARDED_BY(mu_);
};

}  // namespace signpost::engine
