// Bulk loading of the EventIndex (a CSV load, the rebuild from the store at open): producers fill
// BulkRows on their own threads (core fields only, names interned in a per-producer dictionary),
// then EventIndex::BulkLoad groups every row by profile straight into the sealed columns (a
// parallel counting sort), with no per-event delta row.
//
// Thread-safety: one BulkRows per producer thread; BulkLoad needs exclusive access to the index.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "signpost/event.h"

namespace signpost::analytics {

// Reserves room for `n` elements in `v` and asks the kernel to back the new block with huge pages
// (a bulk load touches hundreds of MB once; 4 KB page faults were a fifth of its time).
void ReserveHuge(void* data, size_t bytes);
template <class T>
void ReserveHuge(std::vector<T>& v, size_t n) {
  v.reserve(n);
  ReserveHuge(v.data(), n * sizeof(T));
}

// Core fields of events from one producer, as columns.
class BulkRows {
 public:
  void Reserve(size_t rows);
  // Adds one event; `name` is copied into the dictionary the first time it is seen.
  void Add(uint64_t profile, TimeMs ts, uint64_t seq, std::string_view name, EventType type) {
    profile_.push_back(profile);
    ts_.push_back(ts);
    seq_.push_back(seq);
    name_.push_back(Intern(name));
    type_.push_back(static_cast<uint8_t>(type));
  }
  size_t size() const { return ts_.size(); }
  // Adds `delta` to every seq (a producer that numbered its rows from 0).
  void ShiftSeqs(uint64_t delta);

 private:
  friend class EventIndex;
  uint32_t Intern(std::string_view name);
  uint32_t InternSlow(std::string_view name, size_t hint);

  std::vector<uint64_t> profile_;
  std::vector<TimeMs> ts_;
  std::vector<uint64_t> seq_;
  std::vector<uint32_t> name_;
  std::vector<uint8_t> type_;
  std::vector<std::string> names_;  // this producer's dictionary: local id -> name
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> ids_;
  // A cheap hash (length and first/last bytes) -> local id + 1, confirmed by comparing the bytes;
  // a miss goes to ids_.
  std::array<uint32_t, 1024> recent_{};
};

}  // namespace signpost::analytics
