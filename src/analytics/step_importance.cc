#include "analytics/step_importance.h"

#include <algorithm>
#include <map>

#include "analytics/funnel_kernel.h"
#include "analytics/profile_scan.h"

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
  const std::vector<uint8_t> mask = SegmentMask(index, options);
  const int threads = std::max(1, options.threads);
  // Per thread: (held_out, milestones) -> (goal, no goal).
  std::vector<std::map<std::pair<bool, uint64_t>, std::pair<uint64_t, uint64_t>>> part(threads);
  std::vector<PreparedProfile> prepared(threads);
  const uint64_t goal_bit = uint64_t{1} << out.goal;
  ForEachProfileView(index, mask, threads, [&](int t, uint32_t s, const ProfileView& view) {
    PreparedProfile& p = prepared[t];
    PrepareProfile(plan, view, &p);
    size_t i0 = 0;
    while (i0 < view.size && !CanStart(plan, p, i0)) ++i0;
    if (i0 == view.size) return;
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
  });
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
