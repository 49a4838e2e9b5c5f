#include "engine/index_rebuild.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "analytics/bulk_load.h"
#include "store/event_core.h"

namespace signpost::engine {

Status RebuildIndex(const store::Store& store, const identity::ProfileStore& profiles,
                    analytics::EventIndex& index, int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const uint64_t last = store.LastSeq();
  // Seq ranges of about equal size; one thread each (fewer for a small store).
  const uint64_t per = std::max<uint64_t>(last / static_cast<uint64_t>(threads) + 1, 1 << 16);
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (uint64_t first = 1; first <= last; first += per)
    ranges.emplace_back(first, std::min(last, first + per - 1));
  std::vector<analytics::BulkRows> parts(ranges.size());
  std::vector<Status> status(ranges.size(), Status::Ok());
  auto work = [&](size_t r) {
    analytics::BulkRows& out = parts[r];
    out.Reserve(ranges[r].second - ranges[r].first + 1);
    std::string identity;
    status[r] = store::ScanEventCores(
        store, ranges[r].first, ranges[r].second, [&](const store::EventCore& e) {
          // The canonical identity (Event::PrimaryIdentity) in a reused buffer.
          identity.assign(e.user_id.empty() ? "anon:" : "user:");
          identity.append(e.user_id.empty() ? e.anonymous_id : e.user_id);
          out.Add(profiles.ProfileOf(identity).value(), e.timestamp, e.seq, e.event, e.type);
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
