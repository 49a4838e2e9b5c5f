#include "store/message_id_index.h"

#include <xxhash.h>

#include <algorithm>
#include <utility>

namespace signpost::store {

uint64_t HashMessageId(std::string_view message_id) {
  return XXH3_64bits(message_id.data(), message_id.size());
}

MessageIdIndex::MessageIdIndex(int min_capacity_log2)
    : min_bits_(std::clamp(min_capacity_log2, 1, 40)) {}

bool MessageIdIndex::Contains(uint64_t hash) const {
  bool found = false;
  ForEach(hash, [&](uint64_t) { found = true; });
  return found;
}

void MessageIdIndex::Insert(uint64_t hash, uint64_t seq) {
  if ((size_ + 1) * 8 > slots_.size() * 7) Grow(size_ + 1);
  const uint64_t want = Wanted(hash);
  // Entries of the same home sit together before the place this one takes: a repeat shows there.
  size_t i = Home(hash);
  for (uint64_t d = 0; d <= kMaxDistance; ++d, i = (i + 1) & mask_) {
    const uint64_t s = slots_[i];
    if (s == 0 || Distance(s) < d) break;
    if (Distance(s) == d && (s & kMaxSeq) == seq && Matches(s, want)) return;
  }
  if (!overflow_.empty()) {
    bool present = false;
    ForEachOverflow(Home(hash), want, [&](uint64_t s) { present = present || s == seq; });
    if (present) return;
  }
  // The 16 bits after the home bits, then the marker.
  Place(Home(hash), (((want & ~uint64_t{1}) | 1) << kPrintShift) | (seq & kMaxSeq));
  ++size_;
}

void MessageIdIndex::Place(size_t home, uint64_t entry) {
  size_t i = home;
  for (uint64_t d = 0;; ++d, i = (i + 1) & mask_) {
    if (d > kMaxDistance) {
      overflow_.emplace((i - d) & mask_, entry);
      return;
    }
    uint64_t& s = slots_[i];
    if (s == 0) {
      s = entry | (d << kDistanceShift);
      return;
    }
    if (Distance(s) < d) {  // the richer entry makes way and moves on
      const uint64_t out = s;
      s = entry | (d << kDistanceShift);
      entry = out & ~(kMaxDistance << kDistanceShift);
      d = Distance(out);
    }
  }
}

void MessageIdIndex::Remove(uint64_t hash, uint64_t seq) {
  if (slots_.empty()) return;
  const uint64_t want = Wanted(hash);
  size_t i = Home(hash);
  for (uint64_t d = 0;; ++d, i = (i + 1) & mask_) {
    const uint64_t s = slots_[i];
    if (s == 0 || Distance(s) < d) break;
    if (Distance(s) != d || (s & kMaxSeq) != seq || !Matches(s, want)) continue;
    // Shift the rest of the run back one slot, until an empty slot or an entry at its home.
    for (size_t j = (i + 1) & mask_; slots_[j] != 0 && Distance(slots_[j]) > 0;
         i = j, j = (j + 1) & mask_) {
      slots_[i] = slots_[j] - (uint64_t{1} << kDistanceShift);
    }
    slots_[i] = 0;
    --size_;
    return;
  }
  auto [begin, end] = overflow_.equal_range(Home(hash));
  for (auto it = begin; it != end; ++it) {
    if ((it->second & kMaxSeq) == seq && Matches(it->second, want)) {
      overflow_.erase(it);
      --size_;
      return;
    }
  }
}

void MessageIdIndex::Reserve(size_t n) {
  if ((size_ + n) * 8 > slots_.size() * 7) Grow(size_ + n);
}

size_t MessageIdIndex::MemoryBytes() const {
  size_t bytes = slots_.capacity() * sizeof(uint64_t);
  if (!overflow_.empty()) {  // buckets, and a node (entry and next pointer) per entry
    bytes += overflow_.bucket_count() * sizeof(void*) +
             overflow_.size() * (sizeof(std::pair<const size_t, uint64_t>) + 2 * sizeof(void*));
  }
  return bytes;
}

void MessageIdIndex::Grow(size_t min_entries) {
  if (slots_.empty()) {
    bits_ = min_bits_;
    slots_.assign(size_t{1} << bits_, 0);
    mask_ = slots_.size() - 1;
  }
  while (min_entries * 8 > slots_.size() * 7) Double();
}

void MessageIdIndex::Double() {
  const std::vector<uint64_t> old = std::move(slots_);
  const size_t old_mask = mask_;
  std::unordered_multimap<size_t, uint64_t> old_overflow;
  old_overflow.swap(overflow_);
  ++bits_;
  slots_.assign(size_t{1} << bits_, 0);
  mask_ = slots_.size() - 1;
  // The first known bit of the fingerprint becomes the last bit of the home.
  auto move = [&](size_t home, uint64_t entry) {
    const uint64_t print = Print(entry);
    if (print == kNoBitsKnown) {  // either child may be its home: kept under both
      Place(home * 2, entry);
      Place(home * 2 + 1, entry);
      ++size_;
      return;
    }
    Place(home * 2 + (print >> 16),
          (((print << 1) & kPrintMask) << kPrintShift) | (entry & kMaxSeq));
  };
  for (size_t i = 0; i < old.size(); ++i) {
    const uint64_t s = old[i];
    if (s != 0) move((i - Distance(s)) & old_mask, s & ~(kMaxDistance << kDistanceShift));
  }
  for (const auto& [home, entry] : old_overflow) move(home, entry);
}

}  // namespace signpost::store
