#include "analytics/step_importance.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "analytics/funnel_kernel.h"

namespace signpost::analytics {

namespace {

// splitmix64: the held-out fifth, stable for a profile id.
bool HeldOut(uint64_t id) {
  uint64_t z = id + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (z ^ (z >> 31)) % 5 == 0;
}

}  // namespace

Result<MilestoneCounts> CountMilestones(const EventIndex& index, const FunnelDefinition& def,
                                        const FunnelOptions& options,
                                        const PropertySource* source) {
  SP_ASSIGN_OR_RETURN(FunnelPlan plan, CompilePlan(index, def, source));
  if (options.from) plan.from = *options.from;
  if (options.to) plan.to = *options.to;
  if (plan.from > plan.to) return Status::InvalidArgument("from is after to; give from <= to");
  if (plan.required < 2)
    return Status::InvalidArgument("importance: the funnel needs a goal after step 1");
  MilestoneCounts out;
  out.goal = plan.step_of_rank[plan.required - 1];
  for (int s = 1; s < plan.steps; ++s)
    if (s != out.goal) out.steps.push_back(s);
  if (out.steps.size() > 63) return Status::InvalidArgument("importance: at most 63 milestones");
  std::vector<uint8_t> mask;
  if (options.segment) {
    mask.assign(index.SlotCount(), 0);
    for (ProfileId id : *options.segment) {
      const int64_t slot = index.SlotOf(id);
      if (slot >= 0) mask[static_cast<size_t>(slot)] = 1;
    }
  }
  const int threads = std::max(1, options.threads);
  // Per thread: (held_out, milestones) -> (goal, no goal).
  std::vector<std::map<std::pair<bool, uint64_t>, std::pair<uint64_t, uint64_t>>> part(threads);
  std::vector<PreparedProfile> prepared(threads);
  const uint64_t goal_bit = uint64_t{1} << out.goal;
  constexpr uint32_t kChunk = 2048;
  const uint32_t slots = index.SlotCount();
  std::atomic<uint32_t> next{0};
  auto work = [&](int t) {
    ViewScratch scratch;
    PreparedProfile& p = prepared[t];
    while (true) {
      const uint32_t begin = next.fetch_add(kChunk, std::memory_order_relaxed);
      if (begin >= slots) break;
      for (uint32_t s = begin; s < std::min(slots, begin + kChunk); ++s) {
        if (!mask.empty() && !mask[s]) continue;
        ProfileView view = index.View(s, &scratch);
        if (view.size == 0) continue;
        PrepareProfile(plan, view, &p);
        size_t i0 = 0;
        while (i0 < view.size && !CanStart(plan, p, i0)) ++i0;
        if (i0 == view.size) continue;
        const TimeMs end = view.ts[i0] + plan.window;
        bool goal = false;
        uint64_t bits = 0;
        for (size_t i = i0 + 1; i < view.size && view.ts[i] <= end; ++i) {
          if (p.mask[i] & goal_bit) {
            goal = true;
            break;
          }
          for (size_t j = 0; j < out.steps.size(); ++j)
            if ((p.mask[i] >> out.steps[j]) & 1) bits |= uint64_t{1} << j;
        }
        auto& cell = part[t][{HeldOut(index.SlotProfile(s).value()), bits}];
        ++(goal ? cell.first : cell.second);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && slots > kChunk; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (size_t t = 1; t < part.size(); ++t)
    for (const auto& [key, cell] : part[t]) {
      auto& into = part[0][key];
      into.first += cell.first;
      into.second += cell.second;
    }
  for (const auto& [key, cell] : part[0]) {
    out.patterns.push_back({key.second, key.first, cell.first, cell.second});
    out.entered += cell.first + cell.second;
    out.reached_goal += cell.first;
  }
  return out;
}

}  // namespace signpost::analytics
