#include "identity/identity_table.h"

#include <algorithm>
#include <bit>
#include <functional>

namespace signpost::identity {
namespace {

constexpr uint64_t kIndexMask = 0xffffffffULL;

uint64_t SlotValue(uint64_t hash, size_t index) { return (hash & ~kIndexMask) | (index + 1); }

}  // namespace

uint64_t IdentityTable::HashOf(std::string_view identity) {
  return std::hash<std::string_view>{}(identity);
}

size_t IdentityTable::SlotOf(std::string_view identity, uint64_t hash) const {
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const uint64_t v = slots_[i];
    if (v == 0) return i;
    if ((v & ~kIndexMask) == (hash & ~kIndexMask) &&
        entries_[(v & kIndexMask) - 1].identity == identity) {
      return i;
    }
  }
}

const uint64_t* IdentityTable::Find(std::string_view identity) const {
  if (slots_.empty()) return nullptr;
  const uint64_t v = slots_[SlotOf(identity, HashOf(identity))];
  return v == 0 ? nullptr : &entries_[(v & kIndexMask) - 1].profile;
}

void IdentityTable::Set(std::string_view identity, uint64_t profile) {
  Reserve(entries_.size() + 1);
  const uint64_t hash = HashOf(identity);
  const size_t slot = SlotOf(identity, hash);
  if (slots_[slot] != 0) {
    entries_[(slots_[slot] & kIndexMask) - 1].profile = profile;
    return;
  }
  entries_.push_back(Entry{std::string(identity), profile});
  slots_[slot] = SlotValue(hash, entries_.size() - 1);
}

bool IdentityTable::Erase(std::string_view identity) {
  if (slots_.empty()) return false;
  size_t hole = SlotOf(identity, HashOf(identity));
  if (slots_[hole] == 0) return false;
  // The last entry moves into the erased one's place; its slot follows it.
  const size_t index = (slots_[hole] & kIndexMask) - 1, last = entries_.size() - 1;
  if (index != last) {
    const uint64_t last_hash = HashOf(entries_[last].identity);
    slots_[SlotOf(entries_[last].identity, last_hash)] = SlotValue(last_hash, index);
    entries_[index] = std::move(entries_[last]);
  }
  entries_.pop_back();
  // Backward shift: every later slot of the probe run whose home is not between the hole and it
  // moves into the hole, so lookups never meet a gap inside a run.
  for (size_t i = (hole + 1) & mask_; slots_[i] != 0; i = (i + 1) & mask_) {
    const size_t home = HashOf(entries_[(slots_[i] & kIndexMask) - 1].identity) & mask_;
    const bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (stays) continue;
    slots_[hole] = slots_[i];
    hole = i;
  }
  slots_[hole] = 0;
  return true;
}

void IdentityTable::Reserve(size_t n) {
  if (n * 2 <= slots_.size()) return;
  Grow(std::bit_ceil(std::max<size_t>(n * 2, 16)));
}

void IdentityTable::Grow(size_t slots) {
  slots_.assign(slots, 0);
  mask_ = slots - 1;
  entries_.reserve(slots / 2);
  for (size_t index = 0; index < entries_.size(); ++index) {
    const uint64_t hash = HashOf(entries_[index].identity);
    size_t i = hash & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = SlotValue(hash, index);
  }
}

}  // namespace signpost::identity
