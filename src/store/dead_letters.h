// DeadLetters: rejected raw input kept with its reason, so it can be listed, fixed and re-imported.
// Ids are dense from 1 and never reused, also after a delete. An item identical to one already
// stored (same source, location and raw text) is not stored again, so importing the same bad input
// twice keeps one copy; an in-memory hash of (source, location, raw) per stored item, loaded at
// open, finds them.
// Thread-safety: every method may be called from any thread; writes are serialized inside.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "signpost/clock.h"
#include "signpost/rejection.h"
#include "signpost/status.h"
#include "store/db.h"

namespace signpost::store {

struct DeadLetter {
  uint64_t id = 0;
  std::string source;  // where it came from: "http", "import:<file>", ...
  TimeMs at = 0;       // when it was rejected
  Rejection rejection;
};

class DeadLetters {
 public:
  // Loads the id counter and count from `db` (not owned; must outlive this).
  static Result<std::unique_ptr<DeadLetters>> Load(Db* db);

  // Stores `rejections` durably in one write; returns their ids in order (empty input: no write).
  // An item with the same source, location and raw text as a stored one (or an earlier one of the
  // same call) is not stored again: its id is the stored item's id.
  Result<std::vector<uint64_t>> Add(const std::vector<Rejection>& rejections,
                                    std::string_view source, TimeMs at);
  // Up to `limit` dead letters with id > after_id, by id (page with the last id returned).
  Result<std::vector<DeadLetter>> List(uint64_t after_id, size_t limit) const;
  // kNotFound when there is no dead letter `id`.
  Result<DeadLetter> Get(uint64_t id) const;
  // Deletes the dead letters in `ids` in one write; ids that do not exist are ignored.
  // Returns how many were deleted.
  Result<size_t> Delete(const std::vector<uint64_t>& ids);
  // ---- privacy: minimisation
  // Empties the raw text of the dead letters in `ids` (source, time, location, field and reason
  // stay), in one write; ids that do not exist or are already empty are skipped. Returns how many
  // were emptied. The old bytes leave the files when RocksDB compacts them.
  Result<size_t> RemoveRawBodies(const std::vector<uint64_t>& ids);
  // Dead letters currently stored.
  uint64_t count() const { return count_.load(std::memory_order_acquire); }

 private:
  explicit DeadLetters(Db* db) : db_(db) {}
  // The id of a stored item with this content, 0 when none. Guarded by write_mu_.
  Result<uint64_t> FindStored(uint64_t hash, std::string_view source, const Rejection& r) const;

  Db* db_;
  std::mutex write_mu_;
  uint64_t next_id_ = 1;  // guarded by write_mu_
  // Content hash (ContentHash in the .cc) -> ids of stored items with it; guarded by write_mu_.
  std::unordered_multimap<uint64_t, uint64_t> by_content_;
  std::atomic<uint64_t> count_{0};
};

}  // namespace signpost::store
