#include "store/message_id_index.h"

#include <xxhash.h>

namespace signpost::store {

uint64_t HashMessageId(std::string_view message_id) {
  return XXH3_64bits(message_id.data(), message_id.size());
}

bool MessageIdIndex::Contains(uint64_t hash) const {
  bool found = false;
  ForEach(hash, [&](uint64_t) { found = true; });
  return found;
}

void MessageIdIndex::Insert(uint64_t hash, uint64_t seq) {
  if ((size_ + 1) * 10 > slots_.size() * 7) Grow(size_ + 1);
  const size_t mask = slots_.size() - 1;
  for (size_t i = Home(hash, mask);; i = (i + 1) & mask) {
    if (slots_[i].seq == 0) {
      slots_[i] = Slot{hash, seq};
      ++size_;
      return;
    }
    if (slots_[i].hash == hash && slots_[i].seq == seq) return;
  }
}

void MessageIdIndex::Reserve(size_t n) {
  if ((size_ + n) * 10 > slots_.size() * 7) Grow(size_ + n);
}

void MessageIdIndex::Grow(size_t min_entries) {
  size_t capacity = slots_.empty() ? 1024 : slots_.size();
  while (min_entries * 10 > capacity * 7) capacity *= 2;
  if (capacity == slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  const size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (s.seq == 0) continue;
    size_t i = Home(s.hash, mask);
    while (slots_[i].seq != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace signpost::store
