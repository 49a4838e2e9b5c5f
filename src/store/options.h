// Options of the durable store: a plain struct, every field's default in its comment.
#pragma once

#include <cstddef>
#include <string>

namespace signpost::store {

struct StoreOptions {
  // The data folder (created when missing). Required.
  std::string dir;
  // fsync the write-ahead log before a write returns. Default true: an acknowledged write survives
  // a power cut, not just a process kill.
  bool sync = true;
  // Events whose per-identity index entries are kept in memory before they are written as one
  // record per identity (fewer, bigger index records; events after the last such write are
  // re-indexed from the event chunks at open). Default 262144; tests use small values.
  size_t index_flush_events = size_t{1} << 18;
};

}  // namespace signpost::store
