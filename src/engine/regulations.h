// Regulations: what a privacy regulation leaves in force after its work is done, and the check
// every event passes before it is stored (docs/CONTRACT.md, privacy).
//  - A tombstone per erased identity: after a DELETE, an event of that identity whose timestamp is
//    at or before the erase time is refused (a re-import of an old file or a late event never
//    brings the person back); a later event is a new person and is accepted.
//  - A suppression per identity of a suppressed person: every event of it is refused until
//    UNSUPPRESS, whatever its timestamp.
// Both are kept as keyed hashes (HMAC-SHA256 under a per-folder secret), never the identities
// themselves, in the privacy column family (durable) and in memory (the check). Refused events are
// stored nowhere (not as dead letters either: they carry the ids); they are counted.
//
// Thread-safety: every method may be called from any thread; the check (Refuses, AppendAdmitted)
// runs on the commit thread concurrently with Tombstone / Suppress / Unsuppress (one mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "identity/profile_store.h"
#include "signpost/clock.h"
#include "signpost/event.h"
#include "signpost/status.h"
#include "store/store.h"

namespace signpost::engine {

class Regulations {
 public:
  // Loads the secret (made at the first open) and every tombstone and suppression of `store`'s
  // privacy column family. `store` outlives this. kIoError / kCorruption when they do not read.
  static Result<std::unique_ptr<Regulations>> Open(store::Store& store);

  // The keyed hash of a canonical identity ("user:X" / "anon:X"): 32 bytes.
  std::string HashOf(std::string_view identity) const;

  // Tombstones `identities` (canonical) as erased at `at` (a later erase of the same identity
  // moves its time later, never earlier). Durable on return (WAL fsync).
  Status Tombstone(const std::vector<std::string>& identities, TimeMs at) EXCLUDES(mu_);
  // Suppresses `identities` from `at` on, under regulation `regulation` (an UNSUPPRESS of any one
  // of them lifts them all). Durable on return.
  Status Suppress(const std::vector<std::string>& identities, uint64_t regulation, TimeMs at)
      EXCLUDES(mu_);
  // Lifts every suppression of a regulation that suppressed any of `identities`; returns how many
  // identities are no longer suppressed (0 when none was). Durable on return.
  Result<size_t> Unsuppress(const std::vector<std::string>& identities) EXCLUDES(mu_);

  // True when `event` must not be stored: one of its identities (userId, anonymousId, an alias's
  // previousId as either) is suppressed, or tombstoned at or after the event's timestamp.
  // Counts the refusal.
  bool Refuses(const Event& event) EXCLUDES(mu_);

  // How many identities are tombstoned / suppressed now.
  size_t tombstone_count() const EXCLUDES(mu_);
  size_t suppressed_count() const EXCLUDES(mu_);
  // Events refused since open: of erased identities, of suppressed ones.
  uint64_t refused_erased() const { return refused_erased_.load(); }
  uint64_t refused_suppressed() const { return refused_suppressed_.load(); }
  // Events refused since open under suppression regulation `regulation`.
  uint64_t RefusedUnder(uint64_t regulation) const EXCLUDES(mu_);

 private:
  struct Suppression {
    TimeMs since = 0;
    uint64_t regulation = 0;
  };
  Regulations(store::Store& store, std::string secret)
      : store_(store), secret_(std::move(secret)) {}

  store::Store& store_;
  const std::string secret_;
  mutable Mutex mu_;
  std::unordered_map<std::string, TimeMs> tombstones_ GUARDED_BY(mu_);       // hash -> erased at
  std::unordered_map<std::string, Suppression> suppressed_ GUARDED_BY(mu_);  // hash -> since
  std::unordered_map<uint64_t, uint64_t> refused_by_regulation_ GUARDED_BY(mu_);
  // Set while any tombstone or suppression exists: the check is one load otherwise.
  std::atomic<bool> any_{false};
  std::atomic<uint64_t> refused_erased_{0}, refused_suppressed_{0};
};

// The commit path's one call: appends `events` through `profiles` after refusing those
// `regulations` (may be null) refuses. A refused event keeps seq 0 (the commit queue answers it as
// a duplicate: the sender must not retry it) and is stored nowhere. Errors as ProfileStore::Append.
Result<store::AppendResult> AppendAdmitted(Regulations* regulations,
                                           identity::ProfileStore& profiles,
                                           std::vector<Event>& events);

}  // namespace signpost::engine
