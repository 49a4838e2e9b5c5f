// AuditLog: the durable record of admin actions (definitions applied, journeys started and
// stopped, keys created and revoked, imports, erasures, suppressions, exports): who, when, what
// and with what outcome, never the personal data itself (a person is named by a keyed hash, see
// the callers). Entries are numbered from 1 in the order written and are never changed or deleted.
// Thread-safety: every method may be called from any thread; appends are serialized inside.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "signpost/clock.h"
#include "signpost/status.h"
#include "store/db.h"

namespace signpost::store {

struct AuditRecord {
  uint64_t seq = 0;     // assigned by Append
  TimeMs at = 0;        // when the action was taken
  std::string actor;    // who: "admin:<key name> (<token prefix>)", "cli:<user>", "engine"
  std::string action;   // what: "apply", "journey.state", "keys.create", "erase", ...
  std::string target;   // on what: "journey/welcome", "3 people", ... ("" when none)
  std::string detail;   // a JSON object with what the action reports (versions, counts), or ""
  std::string outcome;  // "ok", or the error's code name and message
};

class AuditLog {
 public:
  // Loads the last seq from `db` (not owned; must outlive this).
  static Result<std::unique_ptr<AuditLog>> Load(Db* db);

  // Stores `record` durably (fsynced) with the next seq; returns that seq.
  Result<uint64_t> Append(AuditRecord record);

  // Entries with seq > after, oldest first, whose action equals `action` (all when empty), at most
  // `limit`. With after == 0 and limit > 0: the last `limit` matching entries.
  Result<std::vector<AuditRecord>> List(uint64_t after, size_t limit,
                                        std::string_view action) const;

  uint64_t last_seq() const;

 private:
  explicit AuditLog(Db* db) : db_(db) {}

  Db* db_;
  mutable std::mutex mu_;
  uint64_t last_seq_ = 0;  // guarded by mu_
};

}  // namespace signpost::store
