// Options of the durable store: a plain struct, every field's default in its comment.
#pragma once

#include <string>

namespace signpost::store {

struct StoreOptions {
  // The data folder (created when missing). Required.
  std::string dir;
  // fsync the write-ahead log before a write returns. Default true: an acknowledged write survives
  // a power cut, not just a process kill.
  bool sync = true;
};

}  // namespace signpost::store
