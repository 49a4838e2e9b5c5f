// MessageIdSet: the in-memory set of 64-bit message-id hashes that makes dedup fast. A hit is only
// a "maybe" (two ids can share a hash) and is confirmed against the store; a miss is certain.
// Open addressing with linear probing, 8 bytes a slot, at most 50% full.
// Not thread-safe: the owner serializes access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace signpost::store {

// The 64-bit hash (XXH3) used for message ids, here and in the message_ids keys.
uint64_t HashMessageId(std::string_view message_id);

class MessageIdSet {
 public:
  // True when `hash` may be in the set.
  bool Contains(uint64_t hash) const;
  // Adds `hash` (no effect when already present).
  void Insert(uint64_t hash);
  size_t size() const { return size_; }
  // Makes room for `n` more hashes without rehashing on the way.
  void Reserve(size_t n);

 private:
  static uint64_t Slot(uint64_t hash) { return hash == 0 ? 1 : hash; }  // 0 marks an empty slot
  void Grow(size_t min_capacity);

  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

}  // namespace signpost::store
