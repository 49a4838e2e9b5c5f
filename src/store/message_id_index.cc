#include "store/message_id_index.h"

#include <sys/mman.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>

namespace signpost::store {
namespace {

__extension__ using U128 = unsigned __int128;

// A seq width with room for a quarter more seqs, so that dense seqs rarely force a rebuild of
// their own between two growths.
uint64_t WithHeadroom(uint64_t max_seq) {
  return std::min(MessageIdIndex::kMaxSeq, max_seq + max_seq / 4);
}

// Asks the kernel to back a big table with huge pages (lookups are one cache miss each; with
// 4 KB pages most are a TLB miss too). Advice only.
void AdviseHugePages(void* data, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t b = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t e = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
}

}  // namespace

uint64_t HashMessageId(std::string_view message_id) {
  return XXH3_64bits(message_id.data(), message_id.size());
}

MessageIdIndex::MessageIdIndex(int min_capacity_log2)
    : min_bits_(std::clamp(min_capacity_log2, 1, 38)) {}

bool MessageIdIndex::Contains(uint64_t hash) const {
  bool found = false;
  ForEach(hash, [&](uint64_t) { found = true; });
  return found;
}

void MessageIdIndex::Set(size_t i, uint64_t slot) {
  const uint64_t bit = static_cast<uint64_t>(i) * static_cast<uint64_t>(slot_bits_);
  uint64_t* p = words_.data() + (bit >> 6);
  const int shift = static_cast<int>(bit & 63);
  U128 two = (static_cast<U128>(p[1]) << 64) | p[0];
  two = (two & ~(static_cast<U128>(slot_mask_) << shift)) | (static_cast<U128>(slot) << shift);
  p[0] = static_cast<uint64_t>(two);
  p[1] = static_cast<uint64_t>(two >> 64);
}

uint64_t MessageIdIndex::KeyAt(size_t home, uint64_t print) const {
  // The keys with this home are [ceil(home * 2^K / n), ceil((home + 1) * 2^K / n)), fewer than
  // 2^M of them, so exactly one has the residue `print`.
  const U128 n = homes_;
  const auto lo = static_cast<uint64_t>(((static_cast<U128>(home) << key_bits_) + n - 1) / n);
  return lo + ((print - lo) & print_mask_);
}

size_t MessageIdIndex::HomesFor(size_t entries) const {
  return std::max(size_t{1} << min_bits_,
                  (entries * kLoadDenominator + kLoadNumerator - 1) / kLoadNumerator);
}

void MessageIdIndex::Insert(uint64_t hash, uint64_t seq) {
  if (homes_ == 0 || seq > seq_mask_ || (size_ + 1) * kLoadDenominator > homes_ * kLoadNumerator) {
    Reserve(1, seq);
  }
  max_seq_ = std::max(max_seq_, seq);
  const uint64_t key = Key(hash);
  const uint64_t want = key & print_mask_;
  const size_t home = Home(key);
  // Entries of the same home sit together before the place this one takes: a repeat shows there.
  size_t i = home;
  for (uint64_t d = 0;; ++d, ++i) {
    const uint64_t s = Get(i);
    if (s == 0 || Distance(s) < d) break;
    if (Distance(s) == d && (s & seq_mask_) == seq && Print(s) == want) return;
  }
  if (!overflow_.empty()) {
    auto [begin, end] = overflow_.equal_range(key);
    for (auto it = begin; it != end; ++it) {
      if (it->second == seq) return;
    }
  }
  Place(home, (want << print_shift_) | seq);
  ++size_;
}

void MessageIdIndex::Place(size_t home, uint64_t entry) {
  size_t i = home;
  for (uint64_t d = 0;; ++d, ++i) {
    if (d > kMaxDistance) {
      overflow_.emplace(KeyAt(i - d, Print(entry)), entry & seq_mask_);
      return;
    }
    const uint64_t s = Get(i);
    if (s == 0) {
      Set(i, entry | (d << seq_bits_));
      return;
    }
    if (Distance(s) < d) {  // the richer entry makes way and moves on
      Set(i, entry | (d << seq_bits_));
      entry = s & ~(kMaxDistance << seq_bits_);
      d = Distance(s);
    }
  }
}

void MessageIdIndex::Remove(uint64_t hash, uint64_t seq) {
  if (homes_ == 0) return;
  const uint64_t key = Key(hash);
  const uint64_t want = key & print_mask_;
  size_t i = Home(key);
  for (uint64_t d = 0;; ++d, ++i) {
    const uint64_t s = Get(i);
    if (s == 0 || Distance(s) < d) break;
    if (Distance(s) != d || (s & seq_mask_) != seq || Print(s) != want) continue;
    // Shift the rest of the run back one slot, until an empty slot or an entry at its home.
    for (uint64_t next = Get(i + 1); next != 0 && Distance(next) > 0; ++i, next = Get(i + 1)) {
      Set(i, next - (uint64_t{1} << seq_bits_));
    }
    Set(i, 0);
    --size_;
    return;
  }
  auto [begin, end] = overflow_.equal_range(key);
  for (auto it = begin; it != end; ++it) {
    if (it->second == seq) {
      overflow_.erase(it);
      --size_;
      return;
    }
  }
}

void MessageIdIndex::Reserve(size_t n, uint64_t max_seq) {
  const size_t entries = size_ + n;
  const bool full = entries * kLoadDenominator > homes_ * kLoadNumerator;
  if (homes_ != 0 && !full && max_seq <= seq_mask_) return;
  size_t homes = homes_;
  if (homes_ == 0) {
    homes = HomesFor(entries);
  } else if (full) {
    const size_t grown =
        homes_ +
        std::max<size_t>(homes_ * (kGrowNumerator - kGrowDenominator) / kGrowDenominator, 1);
    homes = std::max(HomesFor(entries), grown);
  }
  Rebuild(homes, WithHeadroom(std::max(max_seq_, max_seq)));
}

void MessageIdIndex::ShrinkToFit() {
  if (homes_ == 0 || size_ * 4 >= homes_ * 3) return;
  const size_t homes = std::max(size_t{1} << min_bits_, size_ * 5 / 4);
  if (homes < homes_) Rebuild(homes, WithHeadroom(max_seq_));
}

size_t MessageIdIndex::MemoryBytes() const {
  size_t bytes = words_.capacity() * sizeof(uint64_t);
  if (!overflow_.empty()) {  // buckets, and a node (entry and next pointer) per entry
    bytes += overflow_.bucket_count() * sizeof(void*) +
             overflow_.size() * (sizeof(std::pair<const uint64_t, uint64_t>) + 2 * sizeof(void*));
  }
  return bytes;
}

void MessageIdIndex::Rebuild(size_t homes, uint64_t max_seq) {
  MessageIdIndex next(min_bits_);
  next.homes_ = homes;
  next.size_ = size_;
  next.max_seq_ = max_seq_;
  next.seq_bits_ = std::max(1, static_cast<int>(std::bit_width(max_seq)));
  // M: enough bits that 2^M >= ceil(2^K / n); K shrinks (forgetting hash bits) only when a slot
  // would take more than 64 bits (huge seqs in a small table).
  for (next.key_bits_ = key_bits_;; --next.key_bits_) {
    const uint64_t span = ((uint64_t{1} << next.key_bits_) + homes - 1) / homes;
    next.print_bits_ = static_cast<int>(std::bit_width(span - 1));
    next.slot_bits_ = next.seq_bits_ + kDistanceBits + next.print_bits_;
    if (next.slot_bits_ <= 64) break;
  }
  const auto mask = [](int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; };
  next.print_shift_ = next.seq_bits_ + kDistanceBits;
  next.seq_mask_ = mask(next.seq_bits_);
  next.print_mask_ = mask(next.print_bits_);
  next.slot_mask_ = mask(next.slot_bits_);
  const size_t slots = homes + kMaxDistance + 1;
  const size_t words = (slots * static_cast<size_t>(next.slot_bits_) + 63) / 64 + 2;
  next.words_.reserve(words);
  AdviseHugePages(next.words_.data(), words * sizeof(uint64_t));
  next.words_.assign(words, 0);
  const int forget = key_bits_ - next.key_bits_;
  const auto add = [&](uint64_t key, uint64_t seq) {
    key >>= forget;
    next.Place(next.Home(key), ((key & next.print_mask_) << next.print_shift_) | seq);
  };
  if (homes_ != 0) {
    // Slots in order have their homes in order: walk home * 2^K = q * n + r along with them, so
    // that ceil(home * 2^K / n), the first key of the home, needs no division.
    const uint64_t step_q = (uint64_t{1} << key_bits_) / homes_;
    const uint64_t step_r = (uint64_t{1} << key_bits_) % homes_;
    size_t at = 0;
    uint64_t q = 0, r = 0;
    const size_t old_slots = homes_ + kMaxDistance + 1;
    for (size_t i = 0; i < old_slots; ++i) {
      const uint64_t s = Get(i);
      if (s == 0) continue;
      for (const size_t home = i - Distance(s); at < home; ++at) {
        q += step_q;
        r += step_r;
        if (r >= homes_) {
          r -= homes_;
          ++q;
        }
      }
      const uint64_t lo = q + (r != 0);
      add(lo + ((Print(s) - lo) & print_mask_), s & seq_mask_);
    }
  }
  for (const auto& [key, seq] : overflow_) add(key, seq);
  *this = std::move(next);
}

}  // namespace signpost::store
