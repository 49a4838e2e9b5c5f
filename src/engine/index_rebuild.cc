#include "engine/index_rebuild.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "analytics/bulk_load.h"
#include "store/event_core.h"

namespace signpost::engine {

namespace {

// Identity -> current profile for one rebuild thread: a flat open-addressing table of 32-byte
// entries (a lookup is about one cache miss; the identity graph's map is three, and takes a lock),
// asking the profile store once per distinct identity. Identities of up to 13 bytes are kept in
// the entry, longer ones in an arena. Pre-sized for `expected` identities (growing it was a
// fifth of the scan: zeroing, page faults, rehashing), on huge pages where the kernel has them.
class IdentityProfiles {
 public:
  IdentityProfiles(const identity::ProfileStore& profiles, size_t expected) : profiles_(profiles) {
    size_t n = size_t{1} << 16;
    while (n < expected * 2) n <<= 1;
    Allocate(n);
  }

  uint64_t ProfileOf(const store::EventCore& e) {
    const bool user = !e.user_id.empty();
    const std::string_view id = user ? e.user_id : e.anonymous_id;
    const uint64_t hash = std::hash<std::string_view>{}(id) ^ (user ? 0x9E3779B97F4A7C15ull : 0);
    const size_t mask = entries_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Entry& entry = entries_[i];
      if (entry.used == 0) return Insert(i, hash, user, id);
      if (entry.hash == hash && entry.user == user && Text(entry) == id) return entry.profile;
    }
  }

 private:
  struct Entry {
    uint64_t hash = 0;
    uint64_t profile = 0;
    uint8_t used = 0, user = 0, len = 0;  // len 255: in the arena, `at` and `long_len` in text
    char text[13] = {};
  };
  static_assert(sizeof(Entry) == 32);
  static_assert(sizeof(uint64_t) + sizeof(uint32_t) <= sizeof(Entry::text));

  std::string_view Text(const Entry& entry) const {
    if (entry.len != 255) return std::string_view(entry.text, entry.len);
    uint64_t at = 0;
    uint32_t len = 0;
    std::memcpy(&at, entry.text, sizeof(at));
    std::memcpy(&len, entry.text + sizeof(at), sizeof(len));
    return std::string_view(arena_).substr(at, len);
  }

  void Allocate(size_t n) {
    entries_ = std::vector<Entry>();
    analytics::ReserveHuge(entries_, n);
    entries_.resize(n);
  }

  uint64_t Insert(size_t i, uint64_t hash, bool user, std::string_view id) {
    identity_.assign(user ? "user:" : "anon:");  // Event::PrimaryIdentity
    identity_.append(id);
    Entry entry;
    entry.hash = hash;
    entry.profile = profiles_.ProfileOf(identity_).value();
    entry.used = 1;
    entry.user = user ? 1 : 0;
    if (id.size() <= sizeof(entry.text)) {
      entry.len = static_cast<uint8_t>(id.size());
      std::copy(id.begin(), id.end(), entry.text);
    } else {
      entry.len = 255;
      const uint64_t at = arena_.size();
      const auto len = static_cast<uint32_t>(id.size());
      std::memcpy(entry.text, &at, sizeof(at));
      std::memcpy(entry.text + sizeof(at), &len, sizeof(len));
      arena_.append(id);
    }
    entries_[i] = entry;
    if (++size_ * 2 > entries_.size()) Grow();
    return entry.profile;
  }

  void Grow() {
    std::vector<Entry> old = std::move(entries_);
    Allocate(old.size() * 2);
    const size_t mask = entries_.size() - 1;
    for (const Entry& entry : old) {
      if (entry.used == 0) continue;
      size_t i = entry.hash & mask;
      while (entries_[i].used != 0) i = (i + 1) & mask;
      entries_[i] = entry;
    }
  }

  const identity::ProfileStore& profiles_;
  std::vector<Entry> entries_;
  size_t size_ = 0;
  std::string arena_;
  std::string identity_;
};

}  // namespace

Status RebuildIndex(const store::Store& store, const identity::ProfileStore& profiles,
                    analytics::EventIndex& index, int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const uint64_t last = store.LastSeq();
  // Seq ranges of about equal size; one thread each (fewer for a small store).
  const uint64_t per = std::max<uint64_t>(last / static_cast<uint64_t>(threads) + 1, 1 << 12);
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (uint64_t first = 1; first <= last; first += per)
    ranges.emplace_back(first, std::min(last, first + per - 1));
  std::vector<analytics::BulkRows> parts(ranges.size());
  // Each range meets about every identity: about two per profile (a user id, an anonymous id).
  const uint64_t expected_ids = 2 * profiles.profile_count();
  std::vector<Status> status(ranges.size(), Status::Ok());
  auto work = [&](size_t r) {
    analytics::BulkRows& out = parts[r];
    out.Reserve(ranges[r].second - ranges[r].first + 1);
    IdentityProfiles identities(
        profiles, std::min<uint64_t>(ranges[r].second - ranges[r].first + 1, expected_ids));
    status[r] = store::ScanEventCores(
        store, ranges[r].first, ranges[r].second, [&](const store::EventCore& e) {
          out.Add(identities.ProfileOf(e), e.timestamp, e.seq, e.event, e.type);
          return true;
        });
  };
  std::vector<std::thread> pool;
  for (size_t r = 1; r < ranges.size(); ++r) pool.emplace_back(work, r);
  if (!ranges.empty()) work(0);
  for (auto& th : pool) th.join();
  for (const Status& s : status) SP_RETURN_IF_ERROR(s);
  return index.BulkLoad(parts, threads);
}

}  // namespace signpost::engine
