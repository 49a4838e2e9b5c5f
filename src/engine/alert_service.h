// AlertService: incidents raised by detectors (step health: engine/step_health_monitor.h; schema
// drift and any later detector through the same two calls), one per problem, kept durably in the
// store (Cf::kMeta under "alerts/"), so they survive restarts; their lifecycle open →
// acknowledged → resolved, a mute with an end time, and the notifications of each opening and
// resolution to the `settings.alerts.notify` channels.
//
// The generic interface for detectors:
//   Raise(AlertFinding{key, kind, severity, title, detail, affected, ...}, now)
//     opens an incident for `key` when none is open (acknowledged counts as open), else updates
//     the open one (title, detail, figures, last_seen_at, raised count); returns its id.
//   Clear(key, now)
//     resolves the open incident of `key` (resolved_by "auto"); nothing when none is open.
// A detector calls Raise while it sees the problem and Clear once it sees it gone; calling either
// again is harmless (deduplicated by key).
//
// Evaluation: RunDue() runs the `evaluate` hook (the engine wires step health) once per hour of
// the engine clock, then sends pending notifications; in `serve` a thread calls it every minute of
// real time (Options::thread), tests call RunDue() or Evaluate() on a ManualClock.
//
// Thread-safety: every public method may be called from any thread. The incidents are guarded by
// `mu_`; evaluations are serialized by `run_mu_` (taken before `mu_`); notifications are sent
// with neither held... except run_mu_ (one sender at a time).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "signpost/alerts.h"
#include "signpost/clock.h"
#include "signpost/status.h"
#include "store/store.h"

namespace signpost::engine {

class AlertService {
 public:
  // One notification to send: the incident as it is now and the transition.
  struct Outgoing {
    AlertIncident incident;
    std::string channel, to;
    std::string transition;  // "opened" | "resolved"
  };
  struct SendResult {
    bool ok = false;
    bool permanent = false;  // never try again
    std::string error;
  };
  struct Hooks {
    // Runs the detectors at `now` (they call Raise / Clear). Empty: nothing is evaluated.
    std::function<Status(AlertService&, TimeMs now)> evaluate;
    // The notification targets in force: (channel, to) pairs.
    std::function<std::vector<std::pair<std::string, std::string>>()> targets;
    // Sends one notification (blocking for at most the channel's timeout).
    std::function<SendResult(const Outgoing&)> send;
  };
  struct Options {
    DurationMs evaluate_every = kHourMs;  // engine-clock time between evaluations
    uint32_t max_attempts = 5;            // per notification
    size_t keep_resolved = 1000;          // resolved incidents kept (the oldest are dropped)
    bool thread = false;                  // run RunDue() every minute of real time (serve)
  };

  // Loads the stored incidents. `store` and `clock` outlive the service.
  static Result<std::unique_ptr<AlertService>> Open(store::Store& store, const Clock& clock,
                                                    Hooks hooks, Options options);
  // Stops the thread.
  ~AlertService();
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;

  // ---- the detectors' interface (see above). kIoError when the store fails; kInvalidArgument
  // for an empty key or kind.
  Result<uint64_t> Raise(const AlertFinding& finding, TimeMs now) EXCLUDES(mu_);
  Status Clear(std::string_view key, TimeMs now) EXCLUDES(mu_);
  // When the latest incident of `key` was resolved (none when it never was, or one is open):
  // detectors start their windows afresh after it.
  std::optional<TimeMs> LastResolvedAt(std::string_view key) const EXCLUDES(mu_);
  // The open (or acknowledged) incident of `key`, if any.
  std::optional<AlertIncident> OpenIncident(std::string_view key) const EXCLUDES(mu_);

  // ---- operators. kNotFound for an unknown id; kFailedPrecondition for a move the lifecycle
  // does not allow (acknowledging or muting a resolved incident). `actor` is recorded.
  Result<AlertIncident> Acknowledge(uint64_t id, std::string_view actor) EXCLUDES(mu_);
  Result<AlertIncident> Resolve(uint64_t id, std::string_view actor) EXCLUDES(mu_);
  // Mutes until `until` (no notifications before then); `until` <= now unmutes.
  Result<AlertIncident> Mute(uint64_t id, TimeMs until) EXCLUDES(mu_);

  Result<AlertIncident> Get(uint64_t id) const EXCLUDES(mu_);
  AlertList List(const AlertQuery& query) const EXCLUDES(mu_);
  // Prometheus text: signpost_alerts_open{kind="..."} (open and acknowledged, by kind) and
  // signpost_alerts_notifications_failed_total.
  std::string MetricsText() const EXCLUDES(mu_);

  // Runs the evaluate hook now, then sends what is pending.
  Status Evaluate() EXCLUDES(run_mu_, mu_);
  // An evaluation when one is due (evaluate_every after the last), then pending notifications.
  Status RunDue() EXCLUDES(run_mu_, mu_);

 private:
  AlertService(store::Store& store, const Clock& clock, Hooks hooks, Options options);
  Status Load() EXCLUDES(mu_);
  Status Persist(const AlertIncident& incident) REQUIRES(mu_);
  Status PersistLastEvaluated(TimeMs at) REQUIRES(mu_);
  // Adds the notifications of `transition` for every target (not while muted).
  void Plan(AlertIncident& incident, std::string_view transition, TimeMs now) REQUIRES(mu_);
  Status SendPending() REQUIRES(run_mu_) EXCLUDES(mu_);
  Status EvaluateLocked(TimeMs now) REQUIRES(run_mu_) EXCLUDES(mu_);
  void Loop() EXCLUDES(wake_mu_);

  store::Store& store_;
  const Clock& clock_;
  const Hooks hooks_;
  const Options options_;

  Mutex run_mu_;  // one evaluation and one sender at a time; taken before mu_
  mutable Mutex mu_;
  std::map<uint64_t, AlertIncident> incidents_ GUARDED_BY(mu_);
  std::map<std::string, uint64_t, std::less<>> open_by_key_ GUARDED_BY(mu_);
  std::map<std::string, TimeMs, std::less<>> resolved_at_by_key_ GUARDED_BY(mu_);
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  std::optional<TimeMs> last_evaluated_ GUARDED_BY(mu_);
  uint64_t failed_notifications_ GUARDED_BY(mu_) = 0;

  Mutex wake_mu_;
  CondVar wake_cv_;
  bool stop_ GUARDED_BY(wake_mu_) = false;
  std::thread thread_;
};

}  // namespace signpost::engine
