// EventLog: the stored events. Dedup by message id (an in-memory hash set confirmed by a point
// read), arrival sequence numbers, the compact event records, and the per-identity index that
// orders a person's events by (timestamp, seq).
//
// Writes are two-phase so that one atomic batch can also carry other modules' records: Stage()
// fills a Batch, the caller writes it, then Commit() publishes the result in memory.
// Thread-safety: Stage/Commit must be serialized by the caller (Store does); the read methods may
// run concurrently with them and with each other.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "signpost/event.h"
#include "signpost/status.h"
#include "store/db.h"
#include "store/message_id_set.h"

namespace signpost::store {

// Key of the per-identity index: length-prefixed identity, ordered timestamp, seq.
std::string IdentityIndexPrefix(std::string_view identity);

class EventLog {
 public:
  // Loads the message-id hashes and the sequence counter from `db` (not owned; must outlive this).
  // kIoError / kCorruption when the store cannot be read.
  static Result<std::unique_ptr<EventLog>> Load(Db* db);

  // What Stage() decided, to pass to Commit() once the batch is durable.
  struct Staged {
    uint64_t next_seq = 0;
    size_t accepted = 0;
    size_t duplicates = 0;
    std::vector<uint64_t> hashes;  // of the accepted message ids
  };
  // Marks each event of `events` a duplicate (seq = 0) when its message id is already stored or
  // appeared earlier in `events`, otherwise gives it the next seq; puts the accepted events, their
  // message ids and index entries into `batch`. Events with an empty message id are never
  // duplicates. Fails only when the store cannot be read.
  Result<Staged> Stage(std::vector<Event>& events, Batch& batch) const;
  // Publishes a staged write after its batch was written.
  void Commit(const Staged& staged);

  // Calls fn(event) for every stored event with seq > after_seq, in seq order, until fn returns false.
  Status Scan(uint64_t after_seq, const std::function<bool(const Event&)>& fn) const;
  // The events stored under any of `identities` (their primary identity), ordered by (timestamp,
  // seq); only the last `limit` of them when limit > 0.
  Result<std::vector<Event>> EventsOf(const std::vector<std::string>& identities,
                                      size_t limit) const;

  struct Summary {
    uint64_t count = 0;
    TimeMs first_seen = 0, last_seen = 0;  // 0 when count == 0
  };
  // Count and time span of the events stored under any of `identities`.
  Result<Summary> SummaryOf(const std::vector<std::string>& identities) const;

  // Events stored so far.
  uint64_t count() const { return count_.load(std::memory_order_acquire); }
  // The highest seq given so far (0 when empty).
  uint64_t last_seq() const { return next_seq_.load(std::memory_order_acquire) - 1; }

 private:
  explicit EventLog(Db* db) : db_(db) {}
  Status LoadState();

  Db* db_;
  MessageIdSet hashes_;  // writer-only
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<uint64_t> count_{0};
};

}  // namespace signpost::store
