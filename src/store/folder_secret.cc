#include "store/folder_secret.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace signpost::store {

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    const ssize_t r = getrandom(out.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("getrandom failed: {}", std::strerror(errno)));
    }
    got += static_cast<size_t>(r);
  }
  return out;
}

Result<std::string> GetOrCreateSecret(Db& db, Cf cf, std::string_view key) {
  SP_ASSIGN_OR_RETURN(auto existing, db.Get(cf, key));
  if (existing && existing->size() == kSecretBytes) return *existing;
  SP_ASSIGN_OR_RETURN(std::string secret, RandomBytes(kSecretBytes));
  Batch batch = db.NewBatch();
  batch.Put(cf, key, secret);
  SP_RETURN_IF_ERROR(db.Write(batch, true));
  return secret;
}

}  // namespace signpost::store
