// EventService: where every event enters and is read back in bulk. It owns the write path — the
// CommitQueue whose one writer thread commits each group of events with a single
// identity::ProfileStore::Append (one atomic write, one fsync) — and the in-memory analytics index
// kept in step with it (identity merges applied, new events appended, before a submission's future
// resolves). HTTP bodies, imports, re-imported dead letters and the engine's own system events all
// go through it; refused items become dead letters here. After each commit it hands the committed
// events to its observer (the journey service), on the commit thread.
//
// Thread-safety: every public method may be called from any thread. Submissions are serialized by
// the commit thread; index readers (ReadIndex) run concurrently with each other and wait only for
// the moment the commit thread appends. The observer is set once, before events can matter to it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/event_index.h"
#include "base/mutex.h"
#include "engine/commit_queue.h"
#include "engine/minimise.h"
#include "engine/person.h"
#include "engine/regulations.h"
#include "engine/settings.h"
#include "identity/profile_store.h"
#include "ingest/ingest.h"
#include "signpost/clock.h"
#include "signpost/engine.h"
#include "signpost/options.h"

namespace signpost::engine {

// Reads the nested JSON of stored events for the index's lazily built property columns.
class StorePropertySource final : public analytics::PropertySource {
 public:
  explicit StorePropertySource(const store::Store& store) : store_(store) {}
  Status Scan(rules::PropertyScope scope,
              const std::function<void(uint64_t, std::string_view)>& visit) const override;

 private:
  const store::Store& store_;
};

// A stored dead letter as the reports show it (its texts made valid UTF-8).
DeadLetterInfo DeadLetterInfoOf(const store::DeadLetter& d);

class EventService {
 public:
  // Called on the commit thread after each commit with its events (accepted ones have seq != 0).
  using CommitObserver = std::function<void(const std::vector<Event>&)>;

  // Loads the index from the store when options.load_index, then starts the commit thread.
  // `store`, `profiles` (identity over that store), `settings` and `clock` outlive the service;
  // the `privacy` settings apply to every event from outside (Minimiser) from the next commit on.
  static Result<std::unique_ptr<EventService>> Open(const EngineOptions& options,
                                                    store::Store& store,
                                                    identity::ProfileStore& profiles,
                                                    SettingsService& settings, const Clock& clock);
  // Commits what is pending, then stops the commit thread.
  ~EventService();

  // ---- the write path --------------------------------------------------------------------
  // The body of POST /v1/<endpoint> (see Engine::IngestHttp); `write_key_ok` tells whether a
  // key is a live write key.
  Result<IngestOutcome> IngestHttp(std::string_view endpoint, std::string_view body,
                                   std::string_view auth_key,
                                   const std::function<bool(std::string_view)>& write_key_ok);
  // `name` (default: `path`) names the file in the dead letters' source and picks kAuto's format.
  Result<ImportSummary> Import(const std::string& path, ImportFormat format,
                               const std::function<void(const ImportProgress&)>& progress,
                               const std::string& name = {});
  // Already-parsed events from outside (tests, tooling), dead-lettered under source "api".
  Result<IngestOutcome> IngestEvents(std::vector<Event> events);
  Result<IngestOutcome> ReimportDeadLetters(const std::vector<uint64_t>& ids);
  // See Engine::ListDeadLetters: the first `limit` by id, and how many are stored.
  Result<DeadLetterList> DeadLetters(size_t limit) const;
  // The engine's own events (src/base/system_events.h): straight to the commit queue, never
  // through a parser (they carry names every outside path refuses). Durable on return. Must not
  // be called from the commit thread (the observer).
  Result<IngestOutcome> RecordSystemEvents(std::vector<Event> events);
  // ---- privacy: removing events (erasure, retention) ----------------------------------------
  // Erases the events with these seqs from the store (holes, one atomic write, durable on return;
  // store::Store::EraseEvents; `hook` adds the caller's records to that write) and then from the
  // index. Serialized with the commit function, so no commit interleaves: an event being
  // committed is either removed from both or from neither. Between the two steps a reader may
  // still see the events in the index while the store no longer returns them (never the reverse).
  // Unknown and already-erased seqs are skipped (idempotent); `removed` (may be null) gets the
  // number of events erased from the store now. The bytes leave the folder at store Purge().
  // Must not be called from the commit thread (the observer). kIoError / kCorruption when the
  // store write fails (nothing removed).
  Status RemoveEvents(std::vector<uint64_t> seqs, const store::EraseHook& hook = {},
                      uint64_t* removed = nullptr) EXCLUDES(write_mu_, index_mu_);

  // Counts `rejections` and keeps them in the dead-letter store under `source`.
  Status KeepRejections(const std::vector<Rejection>& rejections, std::string_view source);
  // Sets (or, with nullptr, clears) the observer; once this returns, the previous one is not
  // running and is never called again.
  void SetCommitObserver(CommitObserver observer) EXCLUDES(observer_mu_);
  // Sets the regulations every commit checks first (engine/regulations.h; not owned, outlives the
  // service); set by Engine::Open right after Open, before anything is ingested.
  void SetRegulations(Regulations* regulations) { regulations_.store(regulations); }
  // Tracking plans: checks the items from outside (HTTP, import, re-imported dead letters) before
  // they are submitted; removes the ones refused and returns them as rejections, which are kept
  // as dead letters under source "tracking_plan" (engine/catalog_service.h). `source` names where
  // they came from. Set once by Engine::Open before anything is ingested; empty: none checked.
  using Screen =
      std::function<std::vector<Rejection>(std::vector<Event>&, std::string_view source)>;
  void SetScreen(Screen screen) { screen_ = std::move(screen); }
  // Ok, or the last commit's error until a commit succeeds again (readiness).
  Status LastWriteError() const;

  // ---- privacy: people (event_service_privacy.cc) ----------------------------------------
  // The dead letters that carry `person`: their raw ids (after `user:` / `anon:`) or any email
  // they ever had as a trait, as a whole value (a JSON string value when the raw text parses,
  // else a token not continued by an id character) in the raw text, location, field or reason;
  // and the journeys' set-aside events of their profile. One pass over the dead letters.
  Result<std::vector<DeadLetterInfo>> DeadLettersOf(const Person& person) const;
  // Deletes those dead letters (an erasure). Fills dead_letters; idempotent.
  Result<PersonForgotten> ForgetDeadLetters(const Person& person);
  // The same for several people (a regulation's chunk): one pass over the dead letters.
  Result<std::vector<DeadLetterInfo>> DeadLettersOf(std::span<const Person> people) const;
  Result<PersonForgotten> ForgetDeadLetters(std::span<const Person> people);
  // RemoveEvents for the events of erased people: the index looks for them in `profiles`' events
  // (analytics::EventIndex::RemoveEvents), not in every event.
  Status RemoveEventsOf(std::vector<uint64_t> seqs, std::span<const ProfileId> profiles)
      EXCLUDES(write_mu_, index_mu_);

  // ---- the index -------------------------------------------------------------------------
  // True when this process loaded the index (options.load_index).
  bool index_loaded() const { return index_loaded_; }
  // kFailedPrecondition when the index is not loaded.
  Status RequireIndex() const;
  // Runs `read(index, properties)` under the index's shared lock; returns what it returns.
  template <class F>
  auto ReadIndex(F&& read) const EXCLUDES(index_mu_) {
    ReaderLock lock(index_mu_);
    return read(static_cast<const analytics::EventIndex&>(index_),
                static_cast<const analytics::PropertySource*>(&properties_));
  }

  // ---- what the metrics read ---------------------------------------------------------------
  struct Counters {
    uint64_t accepted, duplicates, rejected, refused_merges, unauthenticated, refused_requests;
  };
  Counters counters() const;

  const ingest::Limits& limits() const { return limits_; }

 private:
  EventService(const EngineOptions& options, store::Store& store, identity::ProfileStore& profiles,
               const Clock& clock);
  Status LoadIndex() EXCLUDES(index_mu_);
  // The commit function of the queue (commit thread).
  Status Commit(std::vector<Event>& events, std::vector<std::string>& refused)
      EXCLUDES(write_mu_, index_mu_, observer_mu_);
  // Merges recorded since the last call, then the accepted events, into the index. `profiles`:
  // each accepted event's profile, in order, as the append resolved it (store::AppendResult);
  // when it does not line up, each event is resolved again.
  Status UpdateIndex(const std::vector<Event>& events, const std::vector<ProfileId>& profiles)
      REQUIRES(index_mu_);
  // The screen (SetScreen) on `events`: the refused ones kept as dead letters and appended to
  // `rejections`.
  Status ScreenEvents(std::vector<Event>& events, std::string_view source,
                      std::vector<Rejection>& rejections);
  // Stores `parsed`'s rejections as dead letters from `source` and submits its events.
  Result<IngestOutcome> Submit(ingest::ParsedEvents parsed, std::string_view source);

  const EngineOptions options_;
  store::Store& store_;
  identity::ProfileStore& profiles_;
  const Clock& clock_;
  ingest::Limits limits_;
  StorePropertySource properties_;

  // Held by the commit function (store append + index update) and by RemoveEvents, in that
  // order before index_mu_.
  Mutex write_mu_;
  mutable SharedMutex index_mu_;
  analytics::EventIndex index_ GUARDED_BY(index_mu_);
  bool index_loaded_ = false;                          // set once at Open
  uint64_t merges_applied_ GUARDED_BY(index_mu_) = 0;  // identity merges applied to the index

  Mutex observer_mu_;
  CommitObserver observer_ GUARDED_BY(observer_mu_);

  std::atomic<uint64_t> accepted_{0}, duplicates_{0}, rejected_{0}, refused_merges_{0};
  std::atomic<uint64_t> unauthenticated_{0}, refused_requests_{0};
  std::atomic<Regulations*> regulations_{nullptr};

  // ---- privacy: minimisation (set at Open, before the commit thread starts)
  std::unique_ptr<Minimiser> minimise_;

  std::unique_ptr<CommitQueue> commits_;  // its thread stops first (the destructor resets it)
  Screen screen_;                         // tracking plans: set once at Open (SetScreen)
};

}  // namespace signpost::engine
