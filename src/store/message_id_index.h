// MessageIdIndex: the in-memory table that makes dedup fast, from 64-bit message-id hashes to the
// seq of the stored event with that message id. A hash hit is only a "maybe" (two ids can share a
// hash, and then both are kept) and is confirmed against the stored event; a miss is certain.
// Open addressing with linear probing, 16 bytes a slot (hash, seq), at most 70% full.
// Not thread-safe: the owner serializes access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace signpost::store {

// The 64-bit hash (XXH3) used for message ids, here and in the persisted hash log.
uint64_t HashMessageId(std::string_view message_id);

class MessageIdIndex {
 public:
  // Calls fn(seq) for every stored seq whose message id has `hash` (usually none or one).
  template <typename Fn>
  void ForEach(uint64_t hash, Fn&& fn) const {
    if (slots_.empty()) return;
    const size_t mask = slots_.size() - 1;
    for (size_t i = Home(hash, mask);; i = (i + 1) & mask) {
      if (slots_[i].seq == 0) return;
      if (slots_[i].hash == hash) fn(slots_[i].seq);
    }
  }
  // True when some stored message id may have `hash`.
  bool Contains(uint64_t hash) const;
  // Adds (hash, seq); seq must be > 0. No effect when that exact pair is present.
  void Insert(uint64_t hash, uint64_t seq);
  // Removes (hash, seq) (an erased event); no effect when absent. Backward-shift deletion, so
  // lookups stay correct without tombstones.
  void Remove(uint64_t hash, uint64_t seq);
  size_t size() const { return size_; }
  // Makes room for `n` more entries without rehashing on the way.
  void Reserve(size_t n);

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t seq = 0;  // 0 marks an empty slot
  };
  // XXH3 output is already well mixed; the low bits pick the home slot.
  static size_t Home(uint64_t hash, size_t mask) { return static_cast<size_t>(hash) & mask; }
  void Grow(size_t min_entries);

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace signpost::store
