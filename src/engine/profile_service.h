// ProfileService: what the admin API and `signpost profile` / `events` show of one profile — its
// identities, traits and their history, consent, refused identity links and latest events — read
// from the profile store as typed reports (signpost/reports.h).
//
// Thread-safety: no state of its own besides a reference to the profile store (which serializes
// its own writes); every method may be called from any thread.
#pragma once

#include <string_view>

#include "identity/profile_store.h"
#include "signpost/reports.h"
#include "signpost/status.h"

namespace signpost::engine {

class ProfileService {
 public:
  // `profiles` outlives the service.
  explicit ProfileService(const identity::ProfileStore& profiles);

  // See Engine::Profile and Engine::ProfileEvents (include/signpost/engine.h).
  Result<ProfileReport> Profile(std::string_view identity) const;
  Result<ProfileEventList> Events(std::string_view identity, size_t limit) const;

 private:
  const identity::ProfileStore& profiles_;
};

}  // namespace signpost::engine
