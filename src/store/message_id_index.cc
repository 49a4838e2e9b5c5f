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

void MessageIdIndex::Remove(uint64_t hash, uint64_t seq) {
  if (slots_.empty()) return;
  const size_t mask = slots_.size() - 1;
  size_t i = Home(hash, mask);
  for (;; i = (i + 1) & mask) {
    if (slots_[i].seq == 0) return;
    if (slots_[i].hash == hash && slots_[i].seq == seq) break;
  }
  // Move later entries of the probe run back into the gap when their home allows it.
  for (size_t j = (i + 1) & mask; slots_[j].seq != 0; j = (j + 1) & mask) {
    const size_t home = Home(slots_[j].hash, mask);
    // The entry at j may fill the gap at i unless its home lies in (i, j] (cyclically).
    const bool home_in_between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (home_in_between) continue;
    slots_[i] = slots_[j];
    i = j;
  }
  slots_[i] = Slot{};
  --size_;
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
