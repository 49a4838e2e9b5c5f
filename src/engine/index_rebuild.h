// Rebuilding the analytics index from the store at open (EventService::LoadIndex): the core
// fields of every stored event (store/event_core.h, no JSON parsed), read on several threads over
// seq ranges, each event filed under the current profile of its primary identity, then loaded
// into the sealed columns in one bulk load (analytics/bulk_load.h).
// Thread-safety: needs exclusive access to `index`; the store and profiles are only read.
#pragma once

#include "analytics/event_index.h"
#include "identity/profile_store.h"
#include "store/store.h"

namespace signpost::engine {

// Loads every event of `store` into `index` (which must be empty) on `threads` threads (0: the
// machine's cores). The store's errors (kCorruption for an undecodable record) are returned.
Status RebuildIndex(const store::Store& store, const identity::ProfileStore& profiles,
                    analytics::EventIndex& index, int threads = 0);

}  // namespace signpost::engine
