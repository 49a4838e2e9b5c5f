#include "ingest/message_id.h"

#include <xxhash.h>

#include <cstdint>

namespace signpost::ingest {
namespace {
void AppendHex64(uint64_t v, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[v & 0xF];
    v >>= 4;
  }
}
}  // namespace

std::string GenerateMessageId(std::string_view raw) {
  const XXH128_hash_t h = XXH3_128bits(raw.data(), raw.size());
  std::string id(3 + 32, '0');
  id[0] = 's';
  id[1] = 'p';
  id[2] = '-';
  AppendHex64(h.high64, id.data() + 3);
  AppendHex64(h.low64, id.data() + 3 + 16);
  return id;
}

}  // namespace signpost::ingest
