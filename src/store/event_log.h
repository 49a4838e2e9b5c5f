// EventLog: the stored events. Arrival sequence numbers; the compact event records, stored in
// chunks of up to kChunkEvents consecutive events under the chunk's first seq; dedup by message id
// (an in-memory hash -> seq table, confirmed by reading the stored event, and persisted as one
// hash-log record per chunk); and the per-identity index. The index entries of the newest events
// (at most index_flush_events of them) are kept in memory; once that many have gathered, the next
// append hands them to a flush on a thread of its own (StartIndexFlush), which writes one record
// per identity listing its (timestamp, seq, chunk) entries, added as one sorted file, then the
// persisted "indexed through" seq. At open, the events after that seq are re-indexed from their
// chunks, so a crash loses no index entry.
//
// Writes are two-phase so that one atomic batch can also carry other modules' records: Stage()
// fills a Batch, the caller writes it, then Commit() publishes the result in memory.
// Thread-safety: Stage/Commit must be serialized by the caller (Store does); the read methods may
// run concurrently with them and with each other.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "signpost/event.h"
#include "signpost/status.h"
#include "store/db.h"
#include "store/message_id_index.h"

namespace signpost::store {

// Prefix of the per-identity index keys of `identity` (length-prefixed identity; the chunk's
// first seq follows).
std::string IdentityIndexPrefix(std::string_view identity);

class EventLog {
 public:
  // Loads the message-id hashes, chunk starts and counters from `db` (not owned; must outlive
  // this). kIoError / kCorruption when the store cannot be read. `index_flush_events` (>= 1): see
  // the class comment.
  static Result<std::unique_ptr<EventLog>> Load(Db* db, size_t index_flush_events);

  // One event in the per-identity index.
  struct IndexEntry {
    TimeMs timestamp;
    uint64_t seq;
    uint64_t chunk;  // first seq of the chunk holding it
    bool operator<(const IndexEntry& o) const {
      return timestamp != o.timestamp ? timestamp < o.timestamp : seq < o.seq;
    }
  };

  // An index entry not yet written: its identity's hash and name (bytes [offset, offset + size)
  // of a names buffer) and the entry.
  struct PendingEntry {
    uint64_t hash;
    uint64_t offset, size;
    IndexEntry entry;
  };

  // What Stage() decided, to pass to Commit() once the batch is durable.
  struct Staged {
    uint64_t next_seq = 0;
    size_t accepted = 0;
    size_t duplicates = 0;
    std::vector<std::pair<uint64_t, uint64_t>> ids;  // (message-id hash, seq) of accepted events
    std::vector<uint64_t> chunk_starts;              // first seqs of the new chunks
    // Index entries of the accepted events (names point into `names`).
    std::vector<PendingEntry> index;
    std::string names;
  };
  // Marks each event of `events` a duplicate (seq = 0) when its message id is already stored or
  // appeared earlier in `events`, otherwise gives it the next seq; puts the accepted events'
  // chunks and hash logs into `batch` (their index entries stay in memory until a flush). Events
  // with an empty message id are never duplicates. Fails only when the store cannot be read.
  Result<Staged> Stage(std::vector<Event>& events, Batch& batch) const;
  // Publishes a staged write after its batch was written.
  void Commit(Staged& staged);
  // Sizes the dedup table for `n` more ids (seqs up to n past the last). Serialized with
  // Stage/Commit by the caller.
  void ReserveIds(size_t n);

  // What StageErase() decided, to pass to CommitErase() once the batch is durable.
  struct StagedErase {
    std::vector<Event> erased;  // the events turned into holes now (seq set), in seq order
    std::vector<std::pair<uint64_t, uint64_t>> ids;  // (message-id hash, seq) to forget
    std::vector<uint64_t> seqs;                      // seqs of `erased`, ascending
  };
  // Puts into `batch` the rewrite of every chunk holding one of `seqs` with those events as holes
  // (event_chunk.h), their hash-log records without them, their per-identity index records
  // without them (deleted when emptied) and the new erased count. Seqs that are 0, not given yet or
  // already holes are skipped (erasing twice is a no-op). Serialized with Stage/Commit by the
  // caller. Fails only when the store cannot be read (kIoError, kCorruption).
  Result<StagedErase> StageErase(std::span<const uint64_t> seqs, Batch& batch) const;
  // Publishes a staged erase after its batch was written: the message ids and pending index
  // entries are forgotten and count() drops.
  void CommitErase(const StagedErase& staged);

  // Writes the in-memory index entries (after waiting for a flush in the background), so the next
  // open need not re-index them. Serialized with Stage/Commit by the caller. kIoError when the
  // write fails (the entries stay in memory and are re-indexed at the next open).
  Status WriteIndex();
  // Whether index_flush_events entries are waiting in memory. Writer-only.
  bool IndexDue() const { return pending_.size() >= index_flush_events_; }
  // Hands the in-memory entries to a flush on a thread of its own (after waiting for the one
  // before), so appends go on while it writes; readers see the entries until they are written.
  // Fails with the previous flush's error (its entries are kept in memory). Writer-only.
  Status StartIndexFlush();
  // Waits for the flush in the background, if any; on failure its entries go back in memory and
  // its error is returned. Writer-only (an erase calls it first: it changes the entries).
  Status FinishIndexFlush();

  // Calls fn(event) for every stored event with seq > after_seq, in seq order, until fn returns
  // false.
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

  // Events stored so far (erased ones not counted).
  uint64_t count() const { return count_.load(std::memory_order_acquire); }
  // The highest seq given so far (0 when empty).
  uint64_t last_seq() const { return next_seq_.load(std::memory_order_acquire) - 1; }

 private:
  EventLog(Db* db, size_t index_flush_events) : db_(db), index_flush_events_(index_flush_events) {}
  Status LoadState();
  // Adds `entries` to the store as index records (one per identity), in one sorted file
  // (Db::IngestSorted: no WAL, no memtable).
  Status IngestIndexRecords(const std::vector<PendingEntry>& entries, std::string_view names) const;
  // IngestIndexRecords, then the "indexed through" seq `through`.
  Status WriteIndexRecords(const std::vector<PendingEntry>& entries, std::string_view names,
                           uint64_t through) const;
  // Every index entry of `identities`, pending and stored, sorted by (timestamp, seq); an entry
  // found in both (while a flush is being published) is listed once.
  Status EntriesOf(const std::vector<std::string>& identities,
                   std::vector<IndexEntry>& entries) const;
  // The chunk that holds `seq` (its first seq); writer-only.
  uint64_t ChunkOf(uint64_t seq) const;

  Db* db_;
  const size_t index_flush_events_;
  // Index entries not yet written, in seq order, and the buffer of their identities' names: flat
  // arrays, so an append adds to them without a map lookup or an allocation per event (a reader
  // looks through them all: at most index_flush_events entries). Changed only by Commit and
  // LoadState (the writer), under an exclusive lock; readers take a shared lock; the writer reads
  // them without the lock.
  mutable std::shared_mutex pending_mu_;
  std::vector<PendingEntry> pending_;
  std::string pending_names_;
  // The entries of the flush running in the background (`flush_`; older than every pending one):
  // filled by StartIndexFlush and cleared by the flush once written, both under the exclusive lock;
  // the flush reads them without it (nothing else changes them meanwhile).
  std::vector<PendingEntry> flushing_;
  std::string flushing_names_;
  std::future<Status> flush_;  // writer-only

  MessageIdIndex ids_;                  // writer-only
  std::vector<uint64_t> chunk_starts_;  // first seq of every chunk, ascending; writer-only
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<uint64_t> count_{0};
  uint64_t erased_ = 0;  // holes in all chunks (persisted as kErasedKey); writer-only
};

}  // namespace signpost::store
