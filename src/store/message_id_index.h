// MessageIdIndex: the in-memory table that makes dedup fast, from 64-bit message-id hashes to the
// seq of the stored event with that message id. A hit is only a "maybe" (two ids can share a hash
// or a fingerprint, and then both are kept) and is confirmed against the stored event; a miss is
// certain.
//
// 8 bytes a slot, at most 7/8 full (9.1 to 18.3 bytes per stored id between doublings). Open
// addressing with Robin Hood linear probing over 2^k slots. A slot holds the seq (40 bits), its
// distance from its home slot (7 bits) and a fingerprint of the hash (17 bits): the home slot is
// the hash's top k bits, so a slot only keeps the 16 hash bits that follow them, plus a marker bit
// after the last bit it knows. Doubling the table moves one known bit into the home, so an entry
// knows one bit less after each doubling since it was inserted (the rebuild at open grows the
// same way); one that knows none is kept under both homes it may have. Lookups compare the known
// bits of the entries with the same home only, so a lookup of a new id meets a false candidate
// about 90 times per million at 10M ids grown from empty (dedup_bench). An entry that would sit
// more than 127 slots from its home (only when very many hashes share their top bits) goes to a
// small overflow map instead. Seqs must be below 2^40. Not thread-safe: the owner serializes
// access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace signpost::store {

// The 64-bit hash (XXH3) used for message ids, here and in the persisted hash log.
uint64_t HashMessageId(std::string_view message_id);

class MessageIdIndex {
 public:
  // The largest seq a slot holds.
  static constexpr uint64_t kMaxSeq = (uint64_t{1} << 40) - 1;

  // `min_capacity_log2`: the table's first size is 2^that slots (tests make it tiny).
  explicit MessageIdIndex(int min_capacity_log2 = 12);

  // Calls fn(seq) for every stored seq whose message id may have `hash` (usually none or one).
  template <typename Fn>
  void ForEach(uint64_t hash, Fn&& fn) const {
    if (slots_.empty()) return;
    const uint64_t want = Wanted(hash);
    size_t i = Home(hash);
    for (uint64_t d = 0;; ++d, i = (i + 1) & mask_) {
      const uint64_t s = slots_[i];
      if (s == 0 || Distance(s) < d) break;
      if (Distance(s) == d && Matches(s, want)) fn(s & kMaxSeq);
    }
    if (!overflow_.empty()) ForEachOverflow(Home(hash), want, fn);
  }
  // True when some stored message id may have `hash`.
  bool Contains(uint64_t hash) const;
  // Adds (hash, seq); 0 < seq <= kMaxSeq. No effect when that exact pair is present.
  void Insert(uint64_t hash, uint64_t seq);
  // Removes (hash, seq) (an erased event); no effect when absent. Backward-shift deletion, so
  // lookups stay correct without tombstones. Of an entry kept under two homes, the copy under the
  // other home stays, a candidate pointing at an erased event (which callers skip).
  void Remove(uint64_t hash, uint64_t seq);
  // Entries held (an entry kept under two homes counts twice).
  size_t size() const { return size_; }
  // Makes room for `n` more entries without rehashing on the way.
  void Reserve(size_t n);
  // Bytes held by the table (its slots and the overflow map).
  size_t MemoryBytes() const;
  // Number of slots.
  size_t Capacity() const { return slots_.size(); }

 private:
  // A slot: bits 0-39 the seq, 40-46 the distance from home, 47-63 the fingerprint (the known hash
  // bits after the home bits, most significant first, then a 1, then zeros). 0 is an empty slot.
  static constexpr int kDistanceShift = 40;
  static constexpr uint64_t kMaxDistance = 127;
  static constexpr int kPrintShift = 47;
  static constexpr uint64_t kPrintMask = (uint64_t{1} << 17) - 1;
  static constexpr uint64_t kNoBitsKnown = uint64_t{1} << 16;  // only the marker

  static uint64_t Distance(uint64_t slot) { return (slot >> kDistanceShift) & kMaxDistance; }
  static uint64_t Print(uint64_t slot) { return slot >> kPrintShift; }
  // The 17 hash bits after the home bits: what a slot's known bits are compared with.
  uint64_t Wanted(uint64_t hash) const { return (hash << bits_) >> kPrintShift; }
  size_t Home(uint64_t hash) const { return static_cast<size_t>(hash >> (64 - bits_)); }
  // Whether the known bits of `slot`'s fingerprint equal those of `want`.
  static bool Matches(uint64_t slot, uint64_t want) {
    const uint64_t print = Print(slot);
    const uint64_t marker = print & (~print + 1);
    return ((print ^ want) & ~((marker << 1) - 1) & kPrintMask) == 0;
  }
  template <typename Fn>
  void ForEachOverflow(size_t home, uint64_t want, Fn&& fn) const {
    auto [begin, end] = overflow_.equal_range(home);
    for (auto it = begin; it != end; ++it) {
      if (Matches(it->second, want)) fn(it->second & kMaxSeq);
    }
  }
  // Places `entry` (a slot without its distance) whose home is `home`, Robin Hood style.
  void Place(size_t home, uint64_t entry);
  void Grow(size_t min_entries);
  void Double();

  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  int bits_ = 0;  // slots_.size() == 2^bits_
  int min_bits_;
  size_t size_ = 0;
  // Entries farther than kMaxDistance from their home: home -> slot (distance bits 0).
  std::unordered_multimap<size_t, uint64_t> overflow_;
};

}  // namespace signpost::store
