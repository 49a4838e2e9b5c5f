#include "engine/index_rebuild.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "analytics/bulk_load.h"
#include "base/parallel.h"
#include "store/event_chunk.h"
#include "store/event_core.h"

namespace signpost::engine {

namespace {

// Identity -> current profile, copied once from the identity graph (on every rebuild thread, each
// a part of the graph's map) and then only read, by every scan thread: flat open-addressing tables
// of 32-byte entries, so a lookup is one cache line (the graph's map is three, behind a lock), and
// the scan can prefetch it. The identities are split over 2^k sub-tables by hash bits, so each
// building thread fills its own. Identities of up to 13 bytes are kept in the entry, longer ones
// in the building thread's arena.
class IdentityTable {
 public:
  static uint64_t Hash(bool user, std::string_view id) {
    return std::hash<std::string_view>{}(id) ^ (user ? 0x9E3779B97F4A7C15ull : 0);
  }

  void Build(const identity::ProfileStore& profiles, int threads) {
    size_t subs = 1;
    while (subs < static_cast<size_t>(threads)) subs <<= 1;
    subs_.resize(subs);
    arenas_.resize(static_cast<size_t>(threads));
    // Pass 1: each thread walks its part of the graph into entries, by destination sub-table.
    std::vector<std::vector<std::vector<Entry>>> pending(static_cast<size_t>(threads));
    const size_t guess = profiles.identity_count() / (subs * static_cast<size_t>(threads)) + 16;
    ForEachTask(threads, [&](int t) {
      std::vector<std::vector<Entry>>& mine = pending[static_cast<size_t>(t)];
      mine.resize(subs);
      for (auto& v : mine) v.reserve(guess + guess / 8);
      std::string& arena = arenas_[static_cast<size_t>(t)];
      profiles.ForEachIdentity(
          static_cast<size_t>(t), static_cast<size_t>(threads),
          [&](std::string_view identity, ProfileId profile) {
            bool user;
            if (identity.starts_with("user:")) {
              user = true;
            } else if (identity.starts_with("anon:")) {
              user = false;
            } else {
              return;  // not an event's primary identity (Event::PrimaryIdentity)
            }
            const std::string_view id = identity.substr(5);
            Entry e;
            e.hash = Hash(user, id);
            e.profile = profile.value();
            e.used = 1;
            e.user = user ? 1 : 0;
            if (id.size() <= sizeof(e.text)) {
              e.len = static_cast<uint8_t>(id.size());
              std::copy(id.begin(), id.end(), e.text);
            } else {
              e.len = kLong;
              const uint64_t at = arena.size();
              const auto len = static_cast<uint32_t>(id.size());
              e.text[0] = static_cast<char>(t);
              std::memcpy(e.text + 1, &at, sizeof(at));
              std::memcpy(e.text + 1 + sizeof(at), &len, sizeof(len));
              arena.append(id);
            }
            mine[SubOf(e.hash)].push_back(e);
          });
    });
    // Pass 2: each thread fills whole sub-tables.
    ForEachTask(threads, [&](int t) {
      for (size_t s = static_cast<size_t>(t); s < subs; s += static_cast<size_t>(threads)) {
        size_t size = 0;
        for (const auto& from : pending) size += from[s].size();
        size_t n = 16;
        while (n < size * 2) n <<= 1;
        Sub& sub = subs_[s];
        analytics::ReserveHuge(sub.entries, n);
        sub.entries.resize(n);
        sub.mask = n - 1;
        for (auto& from : pending) {
          for (const Entry& e : from[s]) {
            size_t i = e.hash & sub.mask;
            while (sub.entries[i].used != 0) i = (i + 1) & sub.mask;
            sub.entries[i] = e;
          }
          std::vector<Entry>().swap(from[s]);
        }
      }
    });
  }

  void Prefetch(uint64_t hash) const {
    const Sub& sub = subs_[SubOf(hash)];
    const Entry* entry = sub.entries.data() + (hash & sub.mask);
#if defined(__x86_64__)
    // GCC 12 drops __builtin_prefetch here (the loads it would help are in the same loop).
    asm volatile("prefetcht0 %0" : : "m"(*entry));
#else
    __builtin_prefetch(entry);
#endif
  }

  // The profile of the identity, 0 when the graph does not know it.
  uint64_t Find(uint64_t hash, bool user, std::string_view id) const {
    const Sub& sub = subs_[SubOf(hash)];
    for (size_t i = hash & sub.mask;; i = (i + 1) & sub.mask) {
      const Entry& e = sub.entries[i];
      if (e.used == 0) return 0;
      if (e.hash == hash && e.user == (user ? 1 : 0) && Text(e) == id) return e.profile;
    }
  }

 private:
  static constexpr uint8_t kLong = 255;  // the text is in an arena: arena, at, len in `text`
  struct Entry {
    uint64_t hash = 0;
    uint64_t profile = 0;
    uint8_t used = 0, user = 0, len = 0;
    char text[13] = {};
  };
  static_assert(sizeof(Entry) == 32);
  static_assert(1 + sizeof(uint64_t) + sizeof(uint32_t) <= sizeof(Entry::text));
  struct Sub {
    std::vector<Entry> entries;
    size_t mask = 0;
  };

  size_t SubOf(uint64_t hash) const { return (hash >> 40) & (subs_.size() - 1); }

  std::string_view Text(const Entry& e) const {
    if (e.len != kLong) return std::string_view(e.text, e.len);
    uint64_t at = 0;
    uint32_t len = 0;
    std::memcpy(&at, e.text + 1, sizeof(at));
    std::memcpy(&len, e.text + 1 + sizeof(at), sizeof(len));
    return std::string_view(arenas_[static_cast<uint8_t>(e.text[0])]).substr(at, len);
  }

  std::vector<Sub> subs_;
  std::vector<std::string> arenas_;  // per building thread
};

// How far ahead of its use an identity's table entry is prefetched, in events.
constexpr size_t kPrefetchAhead = 16;

}  // namespace

Status RebuildIndex(const store::Store& store, const identity::ProfileStore& profiles,
                    analytics::EventIndex& index, int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, 64);  // an arena's number is one byte of a table entry
  const uint64_t last = store.LastSeq();
  // Seq ranges of about equal size; one thread each (fewer for a small store).
  const uint64_t per = std::max<uint64_t>(last / static_cast<uint64_t>(threads) + 1, 1 << 12);
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (uint64_t first = 1; first <= last; first += per)
    ranges.emplace_back(first, std::min(last, first + per - 1));
  if (ranges.empty()) {
    std::vector<analytics::BulkRows> none;
    return index.BulkLoad(none, threads);
  }
  std::vector<analytics::BulkRows> parts(ranges.size());
  std::vector<Status> status(ranges.size(), Status::Ok());
  // The table lives for the scan only: its memory is free again (the allocator keeps it, already
  // faulted in) when the bulk load allocates the index's columns.
  std::optional<IdentityTable> identities(std::in_place);
  identities->Build(profiles, threads);
  ForEachTask(static_cast<int>(ranges.size()), [&](int r) {
    analytics::BulkRows& out = parts[static_cast<size_t>(r)];
    const auto [first, last_seq] = ranges[static_cast<size_t>(r)];
    out.Reserve(last_seq - first + 1);
    std::array<uint64_t, store::kChunkEvents> hashes;
    status[static_cast<size_t>(r)] = store::ScanEventCoreChunks(
        store, first, last_seq, [&](std::span<const store::EventCore> all) {
          // In batches (a chunk is one when the store keeps to kChunkEvents): hash every
          // identity, then file each event with its table entry prefetched a few events ahead.
          for (size_t b = 0; b < all.size(); b += hashes.size()) {
            const std::span<const store::EventCore> cores =
                all.subspan(b, std::min(hashes.size(), all.size() - b));
            const size_t n = cores.size();
            for (size_t i = 0; i < n; ++i) {
              const store::EventCore& e = cores[i];
              const bool user = !e.user_id.empty();
              hashes[i] = IdentityTable::Hash(user, user ? e.user_id : e.anonymous_id);
            }
            for (size_t i = 0; i < std::min(n, kPrefetchAhead); ++i)
              identities->Prefetch(hashes[i]);
            for (size_t i = 0; i < n; ++i) {
              if (i + kPrefetchAhead < n) identities->Prefetch(hashes[i + kPrefetchAhead]);
              const store::EventCore& e = cores[i];
              const bool user = !e.user_id.empty();
              out.Add(identities->Find(hashes[i], user, user ? e.user_id : e.anonymous_id),
                      e.timestamp, e.seq, e.event, e.type);
            }
          }
          return true;
        });
  });
  identities.reset();
  for (const Status& s : status) SP_RETURN_IF_ERROR(s);
  return index.BulkLoad(parts, threads);
}

}  // namespace signpost::engine
