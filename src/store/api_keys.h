// ApiKeys: write keys (for ingest) and admin tokens (for the admin API). Tokens are 128 random bits
// from the kernel's entropy source (getrandom), written as "spw_<32 hex>" (write) or "spa_<32 hex>"
// (admin). Revoked keys are kept (listed as revoked) so the audit trail stays.
// Thread-safety: every method may be called from any thread; Check is a lock-shared map lookup.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/clock.h"
#include "signpost/status.h"
#include "store/db.h"

namespace signpost::store {

struct ApiKey {
  std::string token;
  std::string kind;  // "write" or "admin"
  std::string name;  // what the operator called it
  TimeMs created_at = 0;
  bool revoked = false;
  TimeMs revoked_at = 0;
};

class ApiKeys {
 public:
  // Loads every key from `db` (not owned; must outlive this).
  static Result<std::unique_ptr<ApiKeys>> Load(Db* db);

  // Creates and durably stores a new key of `kind` ("write" or "admin", else kInvalidArgument).
  // kIoError when the entropy source or the disk fails.
  Result<ApiKey> Create(std::string_view kind, std::string_view name, TimeMs at);
  // Every key (revoked ones too), by creation time then token.
  std::vector<ApiKey> List() const;
  // Revokes the key whose token is `token_or_prefix` or starts with it (at least 8 characters).
  // kNotFound when none matches, kInvalidArgument when the prefix is shorter than 8 characters or
  // matches several keys. Revoking a revoked key is ok (returns it unchanged).
  Result<ApiKey> Revoke(std::string_view token_or_prefix, TimeMs at);
  // True when `token` is a live (not revoked) key of `kind`.
  bool Check(std::string_view token, std::string_view kind) const;

 private:
  explicit ApiKeys(Db* db) : db_(db) {}
  Status Store(const ApiKey& key);

  Db* db_;
  mutable std::shared_mutex mu_;
  std::map<std::string, ApiKey, std::less<>> keys_;  // by token
};

}  // namespace signpost::store
