// MessageIdIndex: the in-memory table that makes dedup fast, from 64-bit message-id hashes to the
// seq of the stored event with that message id. A hit is only a "maybe" (two ids can share the
// hash bits the table keeps, and then both are kept) and is confirmed against the stored event; a
// miss is certain.
//
// The table keys an entry by the top K bits of its hash (its key, K = 39), and every entry keeps
// its whole key through growth, so a lookup of a new id meets a false candidate about ids / 2^39
// times (18 per million at 10M ids; the count only depends on the ids stored, not on the growth
// an entry went through). Open addressing with Robin Hood linear probing over n home slots (any
// n: the home of key q is q * n / 2^K, "fastrange"), followed by 128 spare slots instead of
// wrapping around. Slots are packed bit fields of W bits: the seq (S bits, S = the width of the
// largest seq with a quarter of headroom), the distance from home (7 bits) and the key's residue,
// the low M bits of q, where M is just enough to tell apart the keys that share a home
// (2^M >= 2^K / n): the home and the residue give back the key, which is what growth needs. As
// the table grows, M shrinks by a bit per doubling while S grows by a bit per doubling of the
// seqs, so W stays near 47 bits when most events have a message id. At most 9/10 full; growth
// is by 6/5 (a rebuild of the whole table, amortized: about 6 moves per entry), so a table of
// W = 47 holds 6.5 to 7.8 bytes per stored id at every size past a few thousand ids. An entry
// that would sit more than 127 slots from its home (only when very many hashes share their top
// bits) goes to a small overflow map instead. Seqs must be below 2^40; a seq is stored with one
// hash only (one event, one message id). Not thread-safe: the owner serializes access.
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
  // At most this share of the home slots is used (9/10), and growth multiplies them by 6/5.
  static constexpr size_t kLoadNumerator = 9, kLoadDenominator = 10;
  static constexpr size_t kGrowNumerator = 6, kGrowDenominator = 5;

  // `min_capacity_log2`: the table's first size is 2^that home slots (tests make it tiny).
  explicit MessageIdIndex(int min_capacity_log2 = 12);

  // Calls fn(seq) for every stored seq whose message id may have `hash` (usually none or one).
  template <typename Fn>
  void ForEach(uint64_t hash, Fn&& fn) const {
    if (homes_ == 0) return;
    const uint64_t key = Key(hash);
    const uint64_t want = key & print_mask_;
    size_t i = Home(key);
    for (uint64_t d = 0;; ++d, ++i) {
      const uint64_t s = Get(i);
      if (s == 0 || Distance(s) < d) break;
      if (Distance(s) == d && Print(s) == want) fn(s & seq_mask_);
    }
    if (!overflow_.empty()) {
      auto [begin, end] = overflow_.equal_range(key);
      for (auto it = begin; it != end; ++it) fn(it->second);
    }
  }
  // Starts loading the first slot a lookup or insert of `hash` reads: a batch that prefetches
  // every hash before its lookups overlaps their cache misses (each is about one).
  void Prefetch(uint64_t hash) const {
    if (homes_ == 0) return;
    const uint64_t bit = static_cast<uint64_t>(Home(Key(hash))) * static_cast<uint64_t>(slot_bits_);
    __builtin_prefetch(words_.data() + (bit >> 6));
  }
  // True when some stored message id may have `hash`.
  bool Contains(uint64_t hash) const;
  // Adds (hash, seq); 0 < seq <= kMaxSeq. No effect when that exact pair is present.
  void Insert(uint64_t hash, uint64_t seq);
  // Removes (hash, seq) (an erased event); no effect when absent. Backward-shift deletion, so
  // lookups stay correct without tombstones.
  void Remove(uint64_t hash, uint64_t seq);
  // Entries held.
  size_t size() const { return size_; }
  // Makes room for `n` more entries, with seqs up to `max_seq`, without rebuilding on the way.
  void Reserve(size_t n, uint64_t max_seq = 0);
  // Rebuilds the table smaller when it is less than 3/4 full (after an over-estimated Reserve).
  void ShrinkToFit();
  // Bytes held by the table (its slots and the overflow map).
  size_t MemoryBytes() const;
  // Number of home slots.
  size_t Capacity() const { return homes_; }
  // Bits a slot takes (W), and hash bits every entry keeps (K).
  int SlotBits() const { return slot_bits_; }
  int KeyBits() const { return key_bits_; }

 private:
  static constexpr int kDistanceBits = 7;
  static constexpr uint64_t kMaxDistance = (uint64_t{1} << kDistanceBits) - 1;
  static constexpr int kInitialKeyBits = 39;

  uint64_t Key(uint64_t hash) const { return hash >> (64 - key_bits_); }
  size_t Home(uint64_t key) const;
  uint64_t Distance(uint64_t slot) const { return (slot >> seq_bits_) & kMaxDistance; }
  uint64_t Print(uint64_t slot) const { return slot >> print_shift_; }
  // Slot `i`'s W bits (0: empty), and setting them.
  uint64_t Get(size_t i) const;
  void Set(size_t i, uint64_t slot);
  // The key of an entry at `home` whose residue is `print` (a division: for the rare overflow).
  uint64_t KeyAt(size_t home, uint64_t print) const;
  // Places `entry` (a slot without its distance) whose home is `home`, Robin Hood style.
  void Place(size_t home, uint64_t entry);
  // The home slots for `entries` at the highest load.
  size_t HomesFor(size_t entries) const;
  // Rebuilds the table with `homes` home slots and seqs up to `max_seq` (every entry moved).
  void Rebuild(size_t homes, uint64_t max_seq);

  std::vector<uint64_t> words_;  // the packed slots, plus a word so a slot read may take two
  size_t homes_ = 0;             // n; the table has n + kMaxDistance + 1 slots
  int key_bits_ = kInitialKeyBits;
  int seq_bits_ = 0, print_bits_ = 0, slot_bits_ = 0, print_shift_ = 0;
  uint64_t seq_mask_ = 0, print_mask_ = 0, slot_mask_ = 0;
  int min_bits_;
  size_t size_ = 0;
  uint64_t max_seq_ = 0;  // the largest seq inserted
  // Entries farther than kMaxDistance from their home: key -> seq.
  std::unordered_multimap<uint64_t, uint64_t> overflow_;
};

inline uint64_t MessageIdIndex::Get(size_t i) const {
  __extension__ using U128 = unsigned __int128;
  const uint64_t bit = static_cast<uint64_t>(i) * static_cast<uint64_t>(slot_bits_);
  const uint64_t* p = words_.data() + (bit >> 6);
  const U128 two = (static_cast<U128>(p[1]) << 64) | p[0];
  return static_cast<uint64_t>(two >> (bit & 63)) & slot_mask_;
}

inline size_t MessageIdIndex::Home(uint64_t key) const {
  __extension__ using U128 = unsigned __int128;
  return static_cast<size_t>((static_cast<U128>(key) * homes_) >> key_bits_);
}

}  // namespace signpost::store
