// The one setup of the identity tests: a store::Store opened on a folder and a ProfileStore over
// it, held together and closed in the right order (the ProfileStore first). Test code only; not
// thread-safe itself (the ProfileStore and the Store are).
#pragma once

#include <memory>

#include "identity/profile_store.h"
#include "store/store.h"

namespace signpost::identity::testing {

struct OpenProfiles {
  // Opens the store in options.dir and the ProfileStore over it; the store's errors as
  // store::Store::Open.
  static Result<OpenProfiles> Open(const store::StoreOptions& options) {
    OpenProfiles p;
    SP_ASSIGN_OR_RETURN(p.store, store::Store::Open(options));
    SP_ASSIGN_OR_RETURN(p.profiles, ProfileStore::Open(*p.store));
    return p;
  }

  ProfileStore& operator*() { return *profiles; }
  ProfileStore* operator->() { return profiles.get(); }

  std::unique_ptr<store::Store> store;  // declared first: destroyed after the ProfileStore
  std::unique_ptr<ProfileStore> profiles;
};

}  // namespace signpost::identity::testing
