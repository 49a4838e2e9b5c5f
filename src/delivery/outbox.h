// Outbox: the durable queue of messages, keyed by idempotency key. Its records (the item as JSON:
// message, state, attempts, times, last error; an index of pending items by next attempt time; the
// tracking secret) are kept through store::OutboxRecords, which owns their keys.
// An item moves pending -> sent | failed and keeps its record afterwards: the record is the
// tombstone that makes a later Enqueue of the same key a no-op, so a key is never sent twice.
// Thread-safety: every method may be called from any thread; the engine serializes the updates of
// one item (one sender at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/message.h"
#include "signpost/reports.h"
#include "signpost/status.h"
#include "store/db.h"
#include "store/outbox_records.h"

namespace signpost::delivery {

// pending | sent | failed (include/signpost/reports.h, with its name OutboxStateName).
using OutboxState = ::signpost::OutboxState;

struct OutboxItem {
  Message message;
  OutboxState state = OutboxState::kPending;
  uint32_t attempts = 0;  // provider calls made so far
  TimeMs enqueued_at = 0;
  TimeMs next_attempt_at = 0;  // pending: when the next attempt is due
  TimeMs updated_at = 0;       // last change of state or attempt
  std::string last_error;      // "" when the last attempt succeeded or none was made
  bool permanent = false;      // failed: true (kept for the event); pending: false
};

class Outbox {
 public:
  // Items in `db` (not owned; must outlive this).
  explicit Outbox(store::Db* db) : db_(db), records_(db) {}

  // Adds `msg` as a pending item due at `now` to `batch` unless its key is already in the outbox
  // (pending, sent or failed). Returns true when added. kInvalidArgument for an empty key;
  // a read error as the store reports it.
  Result<bool> Enqueue(store::Batch& batch, const Message& msg, TimeMs now) const;
  // The item of `key`; nullopt when unknown.
  Result<std::optional<OutboxItem>> Get(std::string_view key) const;
  // An entry of the pending index: the item `key` is due at `due`.
  struct DueEntry {
    TimeMs due = 0;
    std::string key;
  };
  // Pending items due at `now` (next attempt <= now), earliest first, at most `limit`.
  Result<std::vector<DueEntry>> Due(TimeMs now, size_t limit) const;
  // Removes an index entry whose item is gone or no longer pending (never left by Update).
  Status DropDue(const DueEntry& entry);
  // The earliest next attempt of any pending item; nullopt when none is pending.
  Result<std::optional<TimeMs>> NextDue() const;
  // Durably writes `item`, whose stored version was due at `previous_due` (the pending index entry
  // moves or goes away with its state). Uses the store's sync setting.
  Status Update(const OutboxItem& item, TimeMs previous_due);
  // The same writes added to `batch`, for a caller that writes many items at once.
  void Update(store::Batch& batch, const OutboxItem& item, TimeMs previous_due) const;
  // Every item, most recently updated first, at most `limit` (0 = all).
  Result<std::vector<OutboxItem>> List(size_t limit) const;
  // Every item for which `keep` is true, in key order (one pass over the items).
  Result<std::vector<OutboxItem>> Select(const std::function<bool(const OutboxItem&)>& keep) const;
  // Adds to `batch` the removal of `item` and of its pending index entry (a privacy erasure: the
  // record no longer guards its key, so only remove items whose entry cannot send again).
  void Remove(store::Batch& batch, const OutboxItem& item) const;
  // The tracking secret of this data folder, created (random, durable) on the first call.
  // kIoError when the system has no randomness. Not thread-safe against itself (call at open).
  Result<std::string> TrackingSecret();

 private:
  store::Db* db_;
  store::OutboxRecords records_;
};

}  // namespace signpost::delivery
