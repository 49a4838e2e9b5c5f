// OutboxRecords: the durable records of the delivery outbox, in column family Cf::kOutbox.
// Item values are bytes to this file (delivery::Outbox writes JSON); it owns the keys:
//   "m/" + idempotency key                     -> the item
//   "d/" + due time (ordered, 8 bytes) + key   -> "" : the pending items by next attempt time
//   "x/tracking-secret"                        -> the per-folder secret of tracking tokens
// The Put/Delete methods add to a caller's batch (the journeys runtime enqueues inside its own
// atomic write); the outbox's logic (due order, retries, states) is in delivery::Outbox.
// Thread-safety: every method may be called from any thread (the batch is the caller's).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "signpost/clock.h"
#include "signpost/status.h"
#include "store/db.h"

namespace signpost::store {

class OutboxRecords {
 public:
  // Records in `db` (not owned; must outlive this).
  explicit OutboxRecords(Db* db) : db_(db) {}

  // The item stored under `key`; nullopt when there is none. Read errors as the Db reports them.
  Result<std::optional<std::string>> GetItem(std::string_view key) const;
  void PutItem(Batch& batch, std::string_view key, std::string_view bytes) const;
  // Removes the item of `key` (a privacy erasure; its pending index entry is the caller's).
  void DeleteItem(Batch& batch, std::string_view key) const;
  // Every item, by key, until fn returns false.
  Status ScanItems(const std::function<bool(std::string_view bytes)>& fn) const;

  // Adds / removes the pending index entry "`key` is due at `due`".
  void PutDue(Batch& batch, TimeMs due, std::string_view key) const;
  void DeleteDue(Batch& batch, TimeMs due, std::string_view key) const;
  // The pending index entries by (due, key) until fn returns false (entries too short to hold a
  // time are skipped).
  Status ScanDue(const std::function<bool(TimeMs due, std::string_view key)>& fn) const;

  // The tracking secret of this folder (32 bytes), made and written durably on the first call.
  // kIoError when there is no randomness or the write fails. Call it once, at open.
  Result<std::string> GetOrCreateTrackingSecret();

 private:
  Db* db_;
};

}  // namespace signpost::store
