// Store: the durable store of one data folder. Owns the RocksDB database and every kind of record
// kept in it: events (dedup, arrival order), dead letters, API keys, versioned definitions and
// static segments. The engine owns the one Store of a data folder; the identity module writes
// events through it (identity::ProfileStore, which does not own it) and adds its own records to
// the same atomic event write through an AppendHook.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/event.h"
#include "signpost/ids.h"
#include "signpost/status.h"
#include "store/api_keys.h"
#include "store/audit_log.h"
#include "store/db.h"
#include "store/dead_letters.h"
#include "store/definitions.h"
#include "store/event_log.h"
#include "store/options.h"
#include "store/static_segments.h"
#include "store/versioned_records.h"

namespace signpost::store {

struct AppendResult {
  size_t accepted = 0, duplicates = 0;
  std::vector<std::string> refused_merges;  // human-readable lines, one per refused userId merge
  // The profile of each accepted event (seq != 0), in event order, as resolved by the hook that
  // wrote the identity links (identity::ProfileStore); empty when no hook filled it.
  std::vector<ProfileId> profiles;
};

// Called by Append after dedup and seq assignment, before the write: `events` are the caller's
// events (accepted ones have seq != 0, duplicates seq == 0); the hook adds its own records to
// `batch` and may add lines to `result.refused_merges`. A non-ok Status aborts the append (nothing
// is written). Runs with the append lock held.
using AppendHook =
    std::function<Status(const std::vector<Event>& events, Batch& batch, AppendResult& result)>;

// Called by EraseEvents after it read the events to erase, before the write: `erased` are the
// events that become holes now (seq set; ones erased before are not listed); the hook adds its
// own records to `batch`. A non-ok Status aborts the erase (nothing is written). Runs with the
// append lock held.
using EraseHook = std::function<Status(const std::vector<Event>& erased, Batch& batch)>;

class Store {
 public:
  // Opens or creates the store in options.dir and loads what must be in memory (message-id hashes,
  // counters, keys). Errors as Db::Open (locked, not a signpost folder, other format version).
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  // Writes the in-memory part of the per-identity index (best effort: what is not written is
  // rebuilt at the next open), then closes the database.
  ~Store();

  // Appends `events` in one atomic write (WAL fsynced when options.sync), durable on return:
  // dedup by message id against everything stored and within the call; each accepted event gets
  // its seq (strictly increasing, persisted); duplicates get seq = 0 and are not stored again.
  // `hook` (may be empty) adds records to the same write. On failure nothing is stored and the
  // seqs of `events` are meaningless. Thread-safe: appends are serialized.
  Result<AppendResult> Append(std::vector<Event>& events, const AppendHook& hook = {});
  // Makes room in the in-memory dedup table for about `n` more events with a message id (a bulk
  // import, from its size), so appends do not grow it step by step. Thread-safe.
  void ReserveEvents(size_t n);

  // Erases the events with these seqs in one atomic write (durable on return like Append): each
  // becomes a hole in its chunk (event_chunk.h), leaves the message-id dedup (a later event with
  // its message id is accepted again) and the per-identity index, and stops being counted; no
  // reader returns it afterwards. Seqs that are 0, unknown or already erased are skipped, so a
  // repeated call is a no-op. `hook` (may be empty) adds records to the same write; `erased`
  // (may be null) gets the number of events erased now. The bytes stay in the folder's files
  // until Purge(). Thread-safe: serialized with appends. kIoError / kCorruption on failure
  // (nothing erased).
  Status EraseEvents(std::span<const uint64_t> seqs, const EraseHook& hook = {},
                     uint64_t* erased = nullptr);
  // Makes every erased event, and anything else deleted or overwritten before the call, leave
  // every file of the data folder before it returns (Db::Purge). Thread-safe.
  Status Purge() { return db_->Purge(); }

  // Every stored event with seq > after_seq, in seq order, until fn returns false. The Event
  // reference is valid only during the call. Thread-safe; runs concurrently with appends.
  Status ScanEvents(uint64_t after_seq, const std::function<bool(const Event&)>& fn) const;
  // Events whose primary identity is one of `identities`, by (timestamp, seq); the last `limit`
  // of them when limit > 0. Thread-safe.
  Result<std::vector<Event>> EventsOf(const std::vector<std::string>& identities,
                                      size_t limit) const {
    return events_->EventsOf(identities, limit);
  }
  // Count and time span of those events. Thread-safe.
  Result<EventLog::Summary> SummaryOf(const std::vector<std::string>& identities) const {
    return events_->SummaryOf(identities);
  }
  uint64_t EventCount() const { return events_->count(); }
  uint64_t LastSeq() const { return events_->last_seq(); }

  // Stores rejected input with its reason; returns the dead letters' ids. Thread-safe.
  Result<std::vector<uint64_t>> AddDeadLetters(const std::vector<Rejection>& rejections,
                                               std::string_view source, TimeMs at) {
    return dead_letters_->Add(rejections, source, at);
  }

  // The parts, each thread-safe; references valid as long as the Store.
  DeadLetters& dead_letters() { return *dead_letters_; }
  const DeadLetters& dead_letters() const { return *dead_letters_; }
  ApiKeys& keys() { return *keys_; }
  const ApiKeys& keys() const { return *keys_; }
  AuditLog& audit() { return *audit_; }
  const AuditLog& audit() const { return *audit_; }
  // Definitions: kind (funnel, journey, ...) + id -> versioned body (JSON text) with a note.
  Definitions& definitions() { return definitions_; }
  const Definitions& definitions() const { return definitions_; }
  StaticSegments& segments() { return segments_; }
  const StaticSegments& segments() const { return segments_; }
  // The database, for modules that keep their own records here (identity).
  Db& db() { return *db_; }
  const Db& db() const { return *db_; }

 private:
  explicit Store(std::unique_ptr<Db> db);

  std::unique_ptr<Db> db_;
  std::unique_ptr<EventLog> events_;
  std::unique_ptr<DeadLetters> dead_letters_;
  std::unique_ptr<ApiKeys> keys_;
  std::unique_ptr<AuditLog> audit_;
  Definitions definitions_;
  StaticSegments segments_;
  std::mutex append_mu_;
  // The batch of every append, reused so its buffer is not allocated (and page-faulted) anew each
  // time; guarded by append_mu_.
  std::optional<Batch> append_batch_;
};

}  // namespace signpost::store
