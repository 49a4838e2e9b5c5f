// RetentionService: enforces `settings.retention` (src/engine/settings.h). A sweep finds, in the
// analytics index (or, when this process has no index, in the store), every event whose timestamp
// is older than now minus its period — `retention.by_event[name]` when its name is listed (track
// events by their name, page and screen events by theirs), else `retention.events`; identify,
// alias and group events have no name and follow `retention.events` — and removes them through
// EventService::RemoveEvents (store and index together). After a sweep that removed events, the
// store is purged (store::Store::Purge: the bytes leave every file of the data folder) when the
// last purge is at least `purge_every` old, or at once when asked.
//
// The bound, on the engine clock: an event is no longer readable within `sweep_every` (1 hour)
// after its period ends, and its bytes are gone from the folder within `sweep_every` +
// `purge_every` (25 hours), plus the time the sweep and the purge take. In `serve` a thread runs
// RunDue() every minute of real time (EngineOptions::retention_thread); tests call RunDue() or
// Enforce() on a ManualClock.
//
// Thread-safety: every public method may be called from any thread; sweeps are serialized by the
// service's mutex, and run beside ingest (EventService serializes each removal with commits).
#pragma once

#include <memory>
#include <optional>
#include <thread>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "engine/event_service.h"
#include "engine/settings.h"
#include "signpost/clock.h"
#include "signpost/reports.h"
#include "signpost/status.h"
#include "store/store.h"

namespace signpost::engine {

class RetentionService {
 public:
  struct Options {
    DurationMs sweep_every = kHourMs;  // engine-clock time between sweeps. Default 1 hour.
    DurationMs purge_every = kDayMs;   // engine-clock time between purges. Default 1 day.
    size_t max_batch = 100000;         // seqs per RemoveEvents call (one atomic write each)
    bool thread = false;               // run RunDue() every minute of real time (serve)
  };

  // `events`, `store`, `settings` and `clock` outlive the service. Starts the thread when
  // options.thread.
  RetentionService(EventService& events, store::Store& store, const SettingsService& settings,
                   const Clock& clock, Options options);
  // Stops the thread (a sweep in progress finishes first).
  ~RetentionService();
  RetentionService(const RetentionService&) = delete;
  RetentionService& operator=(const RetentionService&) = delete;

  // One sweep now, whatever the schedule; with `purge`, the store is purged afterwards (also when
  // this sweep removed nothing, so earlier removals are made physical). The store's or the
  // index's error when removing or purging fails (what was removed before stays removed).
  Result<RetentionReport> Enforce(bool purge) EXCLUDES(mu_);
  // A sweep when one is due (`sweep_every` after the last), and a purge when due. Ok when
  // nothing was due.
  Status RunDue() EXCLUDES(mu_);

  // The note a report whose window starts at `from` (none: all time) carries, or none when no
  // retention is set or the window starts at or after the horizon (now minus the shortest
  // period in force).
  std::optional<RetentionNote> NoteFor(std::optional<TimeMs> from) const;

 private:
  Result<RetentionReport> Sweep(bool purge) REQUIRES(mu_);
  // The seqs of the expired events (index or store), and the oldest kept timestamp.
  Result<std::vector<uint64_t>> Expired(const RetentionSettings& r, TimeMs now,
                                        std::optional<TimeMs>& oldest_kept) const;
  void Loop() EXCLUDES(wake_mu_);

  EventService& events_;
  store::Store& store_;
  const SettingsService& settings_;
  const Clock& clock_;
  const Options options_;

  Mutex mu_;  // one sweep at a time
  std::optional<TimeMs> last_sweep_ GUARDED_BY(mu_);
  std::optional<TimeMs> last_purge_ GUARDED_BY(mu_);
  bool unpurged_ GUARDED_BY(mu_) = false;  // removed since the last purge

  Mutex wake_mu_;
  CondVar wake_cv_;
  bool stop_ GUARDED_BY(wake_mu_) = false;
  std::thread thread_;
};

}  // namespace signpost::engine
