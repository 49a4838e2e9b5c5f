// IdentityTable: identity text -> profile id, the map every ingested event is resolved through.
//
// Open addressing with linear probing over a flat array of 8-byte slots, each holding the top 32
// bits of the identity's hash and the index of its entry; the entries (the text and the profile)
// sit in one vector. A lookup reads one slot and, only when the hash bits agree, one entry: about
// two cache misses for a hit and one for a miss, where std::unordered_map's nodes cost three, and
// no allocation per identity beyond its text. At most half the slots are used; an erase moves the
// last entry into the hole and shifts the probe run back (no tombstones). Not thread-safe: the
// identity graph guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace signpost::identity {

class IdentityTable {
 public:
  // The profile of `identity`; nullptr when absent. Valid until the table changes.
  const uint64_t* Find(std::string_view identity) const;
  // Maps `identity` to `profile`, adding it when absent.
  void Set(std::string_view identity, uint64_t profile);
  // Removes `identity`; false when it was absent.
  bool Erase(std::string_view identity);
  // Room for `n` identities without growing.
  void Reserve(size_t n);
  size_t size() const { return entries_.size(); }

  // Calls fn(identity, profile) for the entries [size() * part / parts, size() * (part + 1) /
  // parts): the parts together visit each identity once, in no particular order.
  template <typename Fn>
  void ForEach(size_t part, size_t parts, Fn&& fn) const {
    const size_t begin = entries_.size() * part / parts, end = entries_.size() * (part + 1) / parts;
    for (size_t i = begin; i < end; ++i)
      fn(std::string_view(entries_[i].identity), entries_[i].profile);
  }

 private:
  struct Entry {
    std::string identity;
    uint64_t profile;
  };
  static uint64_t HashOf(std::string_view identity);
  // The slot holding `identity` (hash `hash`), or the empty slot where it would go.
  size_t SlotOf(std::string_view identity, uint64_t hash) const;
  void Grow(size_t slots);

  std::vector<Entry> entries_;
  std::vector<uint64_t> slots_;  // 0 = empty; else (hash >> 32) << 32 | (entry index + 1)
  size_t mask_ = 0;              // slots_.size() - 1 (a power of two), 0 when there are none
};

}  // namespace signpost::identity
