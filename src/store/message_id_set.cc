#include "store/message_id_set.h"

#include <xxhash.h>

namespace signpost::store {

uint64_t HashMessageId(std::string_view message_id) {
  return XXH3_64bits(message_id.data(), message_id.size());
}

bool MessageIdSet::Contains(uint64_t hash) const {
  if (slots_.empty()) return false;
  const uint64_t want = Slot(hash);
  const size_t mask = slots_.size() - 1;
  for (size_t i = want & mask;; i = (i + 1) & mask) {
    if (slots_[i] == want) return true;
    if (slots_[i] == 0) return false;
  }
}

void MessageIdSet::Insert(uint64_t hash) {
  if ((size_ + 1) * 2 > slots_.size()) Grow((size_ + 1) * 2);
  const uint64_t want = Slot(hash);
  const size_t mask = slots_.size() - 1;
  for (size_t i = want & mask;; i = (i + 1) & mask) {
    if (slots_[i] == want) return;
    if (slots_[i] == 0) {
      slots_[i] = want;
      ++size_;
      return;
    }
  }
}

void MessageIdSet::Reserve(size_t n) {
  if ((size_ + n) * 2 > slots_.size()) Grow((size_ + n) * 2);
}

void MessageIdSet::Grow(size_t min_capacity) {
  size_t capacity = slots_.empty() ? 1024 : slots_.size();
  while (capacity < min_capacity) capacity *= 2;
  if (capacity == slots_.size()) return;
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(capacity, 0);
  const size_t mask = capacity - 1;
  for (uint64_t v : old) {
    if (v == 0) continue;
    size_t i = v & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

}  // namespace signpost::store
