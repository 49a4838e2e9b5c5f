#include "analytics/step_projection.h"

#include <algorithm>
#include <cstring>

#include "analytics/bulk_load.h"
#include "base/parallel.h"

namespace signpost::analytics {

namespace {

// The part of the projection one build thread makes, for a range of slots.
struct ProjectionPart {
  std::vector<uint32_t> slot;
  std::vector<TimeMs> base;
  std::vector<uint16_t> count;
  std::vector<uint32_t> dt;
  std::vector<uint8_t> mask;
  std::vector<uint32_t> wide;
};

void ProjectSlots(const EventIndex& index, const uint64_t* table, uint32_t begin, uint32_t end,
                  ProjectionPart* out) {
  const uint64_t* off = index.SealedOffsets();
  const TimeMs* ts = index.SealedTimestamps();
  const uint32_t* name = index.SealedNames();
  for (uint32_t s = begin; s < end; ++s) {
    uint64_t i = off[s];
    const uint64_t e = off[s + 1];
    while (i < e && (table[name[i]] & 1) == 0) ++i;
    if (i == e) continue;  // never fills step 1: level 0 whatever the query's range
    const TimeMs base = ts[i];
    const size_t first = out->dt.size();
    uint8_t flag = StepProjection::kFirst;
    bool wide = false;
    for (; i < e; ++i) {
      const uint64_t m = table[name[i]];
      if (m == 0) continue;
      const TimeMs d = ts[i] - base;
      if (d > TimeMs{UINT32_MAX}) {
        wide = true;
        break;
      }
      out->dt.push_back(static_cast<uint32_t>(d));
      out->mask.push_back(static_cast<uint8_t>(m) | flag);
      flag = 0;
    }
    const size_t kept = out->dt.size() - first;
    if (wide || kept > UINT16_MAX) {
      out->dt.resize(first);
      out->mask.resize(first);
      out->wide.push_back(s);
      continue;
    }
    out->slot.push_back(s);
    out->base.push_back(base);
    out->count.push_back(static_cast<uint16_t>(kept));
  }
}

template <class T>
void AppendAll(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

std::shared_ptr<const StepProjection> StepProjection::Build(const EventIndex& index,
                                                            std::span<const uint64_t> name_steps,
                                                            int threads) {
  auto p = std::make_shared<StepProjection>();
  p->name_steps_.assign(name_steps.begin(), name_steps.end());
  p->generation_ = index.Generation();
  // The table over every name id the sealed columns may hold (ids the caller's table does not
  // cover fill nothing).
  std::vector<uint64_t> table(index.NameCount(), 0);
  std::copy_n(name_steps.begin(), std::min(name_steps.size(), table.size()), table.begin());
  const uint32_t slots = index.SealedSlots();
  const uint64_t* off = index.SealedOffsets();
  // Slot ranges of about equal event counts, one per thread.
  const int parts = std::max(1, std::min(threads, static_cast<int>(slots / 4096) + 1));
  std::vector<uint32_t> cut(parts + 1, slots);
  cut[0] = 0;
  for (int t = 1; t < parts; ++t) {
    const uint64_t want = off[slots] / static_cast<uint64_t>(parts) * static_cast<uint64_t>(t);
    cut[t] = static_cast<uint32_t>(std::lower_bound(off, off + slots, want) - off);
    cut[t] = std::max(cut[t], cut[t - 1]);
  }
  std::vector<ProjectionPart> part(parts);
  for (int t = 0; t < parts; ++t) {
    // Room for half the range's events and a third of its profiles (more grows as usual).
    const size_t events = off[cut[t + 1]] - off[cut[t]];
    ReserveHuge(part[t].dt, events / 2);
    ReserveHuge(part[t].mask, events / 2);
    part[t].slot.reserve((cut[t + 1] - cut[t]) / 3);
    part[t].base.reserve((cut[t + 1] - cut[t]) / 3);
    part[t].count.reserve((cut[t + 1] - cut[t]) / 3);
  }
  ForEachTask(parts,
              [&](int t) { ProjectSlots(index, table.data(), cut[t], cut[t + 1], &part[t]); });
  size_t kept_profiles = 0, kept_events = 0;
  for (const ProjectionPart& x : part) {
    kept_profiles += x.slot.size();
    kept_events += x.dt.size();
  }
  p->slot_.reserve(kept_profiles);
  p->base_.reserve(kept_profiles);
  p->count_.reserve(kept_profiles);
  ReserveHuge(p->dt_, kept_events + 1);
  ReserveHuge(p->mask_, kept_events + 1);
  p->chunk_offset_.reserve(kept_profiles / kChunk + 2);
  for (const ProjectionPart& x : part) {
    AppendAll(p->slot_, x.slot);
    AppendAll(p->base_, x.base);
    AppendAll(p->count_, x.count);
    AppendAll(p->dt_, x.dt);
    AppendAll(p->mask_, x.mask);
    AppendAll(p->wide_, x.wide);
  }
  const uint32_t n = p->ProfileCount();
  uint64_t events = 0;
  for (uint32_t k = 0; k < n; ++k) {
    if (k % kChunk == 0 && k != 0) p->chunk_offset_.push_back(events);
    events += p->count_[k];
  }
  if (n != 0) p->chunk_offset_.push_back(events);
  p->dt_.push_back(0);  // one past the end, see Times()
  p->mask_.push_back(0);
  return p;
}

size_t StepProjection::MemoryBytes() const {
  return name_steps_.capacity() * sizeof(uint64_t) + slot_.capacity() * sizeof(uint32_t) +
         base_.capacity() * sizeof(TimeMs) + count_.capacity() * sizeof(uint16_t) +
         chunk_offset_.capacity() * sizeof(uint64_t) + dt_.capacity() * sizeof(uint32_t) +
         mask_.capacity() + wide_.capacity() * sizeof(uint32_t);
}

namespace {

// The table without its trailing zeros: two tables that differ only in names no step uses are the
// same projection.
std::span<const uint64_t> Trimmed(std::span<const uint64_t> t) {
  size_t n = t.size();
  while (n > 0 && t[n - 1] == 0) --n;
  return t.first(n);
}

// Projections kept per index (the most recently used last).
constexpr size_t kMaxCachedProjections = 4;

}  // namespace

std::shared_ptr<const StepProjection> EventIndex::StepProjectionFor(
    std::span<const uint64_t> name_steps, int threads) const {
  return CachedProjection(name_steps, threads, /*only_if_repeated=*/false);
}

std::shared_ptr<const StepProjection> EventIndex::StepProjectionIfRepeated(
    std::span<const uint64_t> name_steps, int threads) const {
  return CachedProjection(name_steps, threads, /*only_if_repeated=*/true);
}

std::shared_ptr<const StepProjection> EventIndex::CachedProjection(
    std::span<const uint64_t> name_steps, int threads, bool only_if_repeated) const {
  const std::span<const uint64_t> key = Trimmed(name_steps);
  auto same = [&](std::span<const uint64_t> have) {
    have = Trimmed(have);
    return std::equal(have.begin(), have.end(), key.begin(), key.end());
  };
  std::lock_guard<std::mutex> lock(projections_mu_);
  const auto hit = std::find_if(projections_.begin(), projections_.end(),
                                [&](const auto& p) { return same(p->name_steps()); });
  if (hit != projections_.end()) {  // most recently used goes last
    std::shared_ptr<const StepProjection> found = *hit;
    projections_.erase(hit);
    projections_.push_back(found);
    return found;
  }
  if (only_if_repeated) {
    const auto asked = std::find_if(asked_once_.begin(), asked_once_.end(),
                                    [&](const std::vector<uint64_t>& k) { return same(k); });
    if (asked == asked_once_.end()) {
      if (asked_once_.size() >= 4 * kMaxCachedProjections) asked_once_.erase(asked_once_.begin());
      asked_once_.emplace_back(key.begin(), key.end());
      return nullptr;
    }
    asked_once_.erase(asked);
  }
  std::shared_ptr<const StepProjection> built = StepProjection::Build(*this, key, threads);
  if (projections_.size() >= kMaxCachedProjections) projections_.erase(projections_.begin());
  projections_.push_back(built);
  return built;
}

size_t EventIndex::ProjectionMemoryBytes() const {
  std::lock_guard<std::mutex> lock(projections_mu_);
  size_t bytes = 0;
  for (const auto& p : projections_) bytes += p->MemoryBytes();
  return bytes;
}

void EventIndex::DropProjections() {
  ++generation_;
  std::lock_guard<std::mutex> lock(projections_mu_);
  projections_.clear();
  asked_once_.clear();
}

}  // namespace signpost::analytics
