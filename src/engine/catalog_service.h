// CatalogService: the event catalog (analytics/event_catalog.h) kept current at ingest, the
// tracking plans in force (`kind: tracking_plan`, analytics/tracking_plan.h) and schema drift
// (analytics/schema_drift.h) as typed reports (signpost/event_catalog.h).
//
// - The catalog observes every commit (OnCommitted, the event service's commit thread): a hash
//   lookup and counters per event, the JSON read only for a daily budget per name, then 1 in N.
//   It lives in memory: what was committed before this process started is read from the store
//   once, at the first report (Backfill; one scan, the commit thread never waits for it), so a
//   restart loses nothing. Bounds: analytics::CatalogLimits.
// - Tracking plans are checked on every item from outside before it is committed (Screen, on the
//   ingest thread: HTTP, import, re-imported dead letters); in mode block an item that breaks a
//   rule is not committed but kept as a dead letter (source "tracking_plan", the plan, its version
//   and the rule in its reason, the item as Segment JSON so it can be re-imported once the plan or
//   the sender is fixed); in mode flag it is committed and the violation counted. Violations are
//   counted per event, plan, property and rule since the process started. The engine's own events
//   are not checked.
// - Drift findings (Drift) are computed from the catalog as of the clock's now and the stored
//   funnel, journey (triggers, waits, branches, goals) and segment definitions.
//
// Thread-safety: every public method may be called from any thread. `mu_` guards the catalog;
// `plans_mu_` the plans in force (a shared pointer swapped on apply, read without copying them);
// `backfill_mu_` serializes the one backfill. Order: backfill_mu_, then mu_.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/event_catalog.h"
#include "analytics/schema_drift.h"
#include "analytics/tracking_plan.h"
#include "base/mutex.h"
#include "engine/settings.h"
#include "signpost/clock.h"
#include "signpost/event_catalog.h"
#include "signpost/rejection.h"
#include "signpost/reports.h"
#include "signpost/status.h"
#include "store/store.h"

namespace signpost::engine {

class CatalogService {
 public:
  struct Options {
    analytics::CatalogLimits limits;  // see analytics/event_catalog.h for the defaults
  };

  // Loads the latest version of every stored tracking plan. `store`, `settings` (the sensitive
  // properties: examples masked) and `clock` outlive the service. kCorruption when a stored plan
  // no longer parses.
  static Result<std::unique_ptr<CatalogService>> Open(store::Store& store,
                                                      SettingsService& settings, const Clock& clock,
                                                      Options options);

  // The event service's commit observer: counts the committed events (commit thread).
  void OnCommitted(const std::vector<Event>& events) EXCLUDES(mu_);
  // The event service's screen: checks `events` against the plans in force; removes the items a
  // plan in mode block refuses and returns them as rejections (`source` is where they came from,
  // named in the reason); counts every violation. Nothing to do when no plan is applied.
  std::vector<Rejection> Screen(std::vector<Event>& events, std::string_view source)
      EXCLUDES(mu_, plans_mu_);

  // ---- tracking plans (the definition service's kind) ----------------------------------------
  // Validates a `kind: tracking_plan` document (kInvalidArgument naming the field).
  static Status CheckPlan(std::string_view text);
  // Stores it as a new version and puts it in force for the next item.
  Result<AppliedDefinition> ApplyPlan(std::string_view text, std::string_view note)
      EXCLUDES(plans_mu_);
  // Takes a deleted plan out of force.
  void PlanRemoved(std::string_view id) EXCLUDES(plans_mu_);

  // Whether commits are counted (default on; off only to measure the catalog's cost: bench).
  void SetObserving(bool on) { observe_.store(on); }

  // ---- reports -------------------------------------------------------------------------------
  // The catalog as of the clock's now (reads the store once first: Backfill).
  Result<EventCatalogReport> Report(const CatalogQuery& query) EXCLUDES(mu_, backfill_mu_);
  // The drift findings as of the clock's now, naming the stored definitions that read each.
  Result<DriftReport> Drift() EXCLUDES(mu_, backfill_mu_);

 private:
  using Plans = std::vector<analytics::TrackingPlan>;
  CatalogService(store::Store& store, const Clock& clock, Options options);
  std::shared_ptr<const Plans> plans() const EXCLUDES(plans_mu_);
  // Each plan's id and the names of the events it lists.
  std::map<std::string, std::vector<std::string>> PlannedNames() const EXCLUDES(plans_mu_);
  // "id@version (mode)" of each plan in force.
  std::vector<std::string> PlansInForce() const EXCLUDES(plans_mu_);
  // Puts the latest stored version of every plan in force (Open).
  Status LoadPlans() EXCLUDES(plans_mu_);
  // Counts the events committed before this process observed any (once; later calls return).
  Status Backfill() EXCLUDES(mu_, backfill_mu_);
  void SetSensitive(const Settings& settings) EXCLUDES(mu_);

  store::Store& store_;
  const Clock& clock_;
  const Options options_;
  std::atomic<bool> observe_{true};

  Mutex backfill_mu_;
  bool backfilled_ GUARDED_BY(backfill_mu_) = false;

  mutable Mutex mu_;
  analytics::EventCatalog catalog_ GUARDED_BY(mu_);
  uint64_t live_from_ GUARDED_BY(mu_) = 0;   // the first seq the observer counted (0: none yet)
  uint64_t scanned_to_ GUARDED_BY(mu_) = 0;  // the last seq the backfill counted

  mutable Mutex plans_mu_;
  std::shared_ptr<const Plans> plans_ GUARDED_BY(plans_mu_);
};

// What the stored definitions read: each funnel step and exclusion, journey trigger, wait,
// branch and goal, and segment rule, with the property paths of its conditions. Definitions that
// no longer parse are skipped.
Result<std::vector<analytics::DefinitionRead>> StoredDefinitionReads(const store::Store& store);

}  // namespace signpost::engine
