// Per-folder secrets: random bytes made once per data folder and kept in one of its records (the
// journeys' system id key, the tracking secret), so what is derived from them (message ids,
// tracking tokens) stays the same across restarts and cannot be guessed from outside.
// Thread-safety: RandomBytes may be called from any thread. GetOrCreateSecret may too, but two
// first calls for the same key at once may each make a secret (call it once, at open).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "signpost/status.h"
#include "store/db.h"

namespace signpost::store {

// The size of every per-folder secret.
inline constexpr size_t kSecretBytes = 32;

// `n` bytes from the kernel's entropy source (getrandom). kIoError when it fails.
Result<std::string> RandomBytes(size_t n);

// The secret kept at `key` of `cf`: when there is none (or the record is not kSecretBytes long) a
// new random one, written with a WAL sync before it is returned. Read and write errors as the Db
// reports them.
Result<std::string> GetOrCreateSecret(Db& db, Cf cf, std::string_view key);

}  // namespace signpost::store
