// CatalogService: the event catalog (analytics/event_catalog.h) kept current at ingest and schema
// drift (analytics/schema_drift.h) as typed reports (signpost/event_catalog.h).
//
// - The catalog observes every commit (OnCommitted, the event service's commit thread): a hash
//   lookup and counters per event, the JSON read only for a daily budget per name, then 1 in N.
//   It lives in memory: what was committed before this process started is read from the store
//   once, at the first report (Backfill; one scan, the commit thread never waits for it), so a
//   restart loses nothing. Bounds: analytics::CatalogLimits.
// - Drift findings (Drift) are computed from the catalog as of the clock's now and the stored
//   funnel, journey (triggers, waits, branches, goals) and segment definitions.
//
// Thread-safety: every public method may be called from any thread. `mu_` guards the catalog;
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
#include "base/mutex.h"
#include "engine/settings.h"
#include "signpost/clock.h"
#include "signpost/event_catalog.h"
#include "signpost/reports.h"
#include "store/store.h"

namespace signpost::engine {

class CatalogService {
 public:
  struct Options {
    analytics::CatalogLimits limits;  // see analytics/event_catalog.h for the defaults
  };

  // `store`, `settings` (the sensitive properties: examples masked) and `clock` outlive the
  // service.
  static Result<std::unique_ptr<CatalogService>> Open(store::Store& store,
                                                      SettingsService& settings, const Clock& clock,
                                                      Options options);

  // The event service's commit observer: counts the committed events (commit thread).
  void OnCommitted(const std::vector<Event>& events) EXCLUDES(mu_);
  // Whether commits are counted (default on; off only to measure the catalog's cost: bench).
  void SetObserving(bool on) { observe_.store(on); }

  // ---- reports -------------------------------------------------------------------------------
  // The catalog as of the clock's now (reads the store once first: Backfill).
  Result<EventCatalogReport> Report(const CatalogQuery& query) EXCLUDES(mu_, backfill_mu_);
  // The drift findings as of the clock's now, naming the stored definitions that read each.
  Result<DriftReport> Drift() EXCLUDES(mu_, backfill_mu_);

 private:
  CatalogService(store::Store& store, const Clock& clock, Options options);
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
};

// What the stored definitions read: each funnel step and exclusion, journey trigger, wait,
// branch and goal, and segment rule, with the property paths of its conditions. Definitions that
// no longer parse are skipped.
Result<std::vector<analytics::DefinitionRead>> StoredDefinitionReads(const store::Store& store);

}  // namespace signpost::engine
