// AuditService: records each admin action the engine takes (definitions applied, journey states,
// keys, imports, dead-letter re-imports, segment lists, and the privacy requests) with the actor
// of the calling thread (signpost/acting_as.h), the clock's time, what was done and its outcome,
// in the store's append-only audit log; and lists the log as typed entries. Records never hold
// personal data: callers name a person by a keyed hash, never by an id.
// Thread-safety: thread-safe (the audit log serializes appends); no state of its own.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "signpost/clock.h"
#include "signpost/queries.h"
#include "signpost/reports.h"
#include "signpost/status.h"
#include "store/store.h"

namespace signpost::engine {

class AuditService {
 public:
  AuditService(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Records `action` on `target` by the current actor with `outcome` ("ok" or the error) and
  // `detail` (an object, or null for none). A failure to write is logged, not returned: the
  // action itself has already happened.
  void Record(std::string_view action, std::string target, const nlohmann::json& detail,
              const Status& outcome);

  // Records a call's result: its outcome, and `detail(value)` when it succeeded. Returns `r`.
  template <class T, class Detail>
  const Result<T>& Recorded(std::string_view action, std::string target, const Result<T>& r,
                            Detail detail) {
    Record(action, std::move(target), r.ok() ? nlohmann::json(detail(*r)) : nlohmann::json(),
           r.status());
    return r;
  }

  Result<AuditTrail> List(const AuditQuery& query) const;

  // "admin:<name> (<first 12 characters of the token>)" for an admin token, "admin:unknown" for
  // one that is not stored.
  std::string AdminActor(std::string_view token) const;

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace signpost::engine
