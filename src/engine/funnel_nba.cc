// FunnelService's next best action: the counts come from the analytics kernel
// (analytics/next_best_action.h) under the index's shared lock, the lifts and the ranking from
// src/experiments (next_best_action.h). The rules are next_best_action_service.h's.
#include <fmt/format.h>

#include <utility>
#include <vector>

#include "analytics/next_best_action.h"
#include "engine/funnel_service.h"
#include "engine/nba_tables.h"
#include "experiments/next_best_action.h"

namespace signpost::engine {

Result<NextBestActionReport> FunnelService::NextBestAction(const FunnelId& funnel, int step) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  if (funnel.empty()) return Status::InvalidArgument("funnel: give a stored funnel id");
  FunnelQuery q;
  q.id = funnel;
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(q));
  const TimeMs now = clock_.NowMs();
  std::vector<std::vector<ProfileId>> members;
  for (const SegmentId& s : f.def.nba_segments) {
    SP_ASSIGN_OR_RETURN(std::vector<ProfileId> m, segments_.Members(s));
    members.push_back(std::move(m));
  }
  SP_ASSIGN_OR_RETURN(analytics::NextBestActionCounts counts,
                      events_.ReadIndex([&](const analytics::EventIndex& index,
                                            const analytics::PropertySource* properties)
                                            -> Result<analytics::NextBestActionCounts> {
                        std::vector<std::vector<uint8_t>> masks;
                        for (const std::vector<ProfileId>& m : members) {
                          std::vector<uint8_t> mask(index.SlotCount(), 0);
                          for (ProfileId p : m) {
                            const int64_t slot = index.SlotOf(p);
                            if (slot >= 0) mask[static_cast<size_t>(slot)] = 1;
                          }
                          masks.push_back(std::move(mask));
                        }
                        SP_RETURN_IF_ERROR(NarrowToConsent(index, properties, f, now).status());
                        return analytics::CountNextBestActions(index, f.def, f.options, step, masks,
                                                               properties);
                      }));
  NextBestActionReport r;
  r.funnel = f.def.id;
  r.version = f.options.definition_version;
  r.step = counts.step + 1;
  r.step_name = f.def.steps[counts.step].name;
  r.target_step = counts.target + 1;
  r.target_name = f.def.steps[counts.target].name;
  r.population = fmt::format(
      "people who entered a journey while at step {} ({}), not yet at step {} ({}), within the "
      "funnel's window; treated against the journey's holdout",
      r.step, r.step_name, r.target_step, r.target_name);
  if (!f.def.consent.empty()) r.population += "; with tracking consent";
  r.as_of = now;
  r.min_count = f.def.nba_min_count;
  std::vector<std::string> names;
  for (const SegmentId& seg : f.def.nba_segments) names.push_back(seg.value());
  SP_ASSIGN_OR_RETURN(r.tables, RankNextBestActionTables(counts, names, r.min_count, r.level));
  return r;
}

Result<std::vector<NextBestActionTable>> RankNextBestActionTables(
    const analytics::NextBestActionCounts& counts, const std::vector<std::string>& segments,
    uint64_t min_count, double level) {
  std::vector<NextBestActionTable> tables;
  for (size_t g = 0; g < counts.at_step.size(); ++g) {
    std::vector<experiments::ActionGroups> actions;
    for (const analytics::ActionCounts& a : counts.actions) {
      if (g >= a.cells.size()) return Status::InvalidArgument("next best action: a cell missing");
      const analytics::ActionCell& c = a.cells[g];
      if (c.treated == 0 && c.holdout == 0) continue;
      actions.push_back(
          {a.journey, a.step, {c.treated, c.treated_converted}, {c.holdout, c.holdout_converted}});
    }
    const std::string segment = g == 0 || g > segments.size() ? "" : segments[g - 1];
    SP_ASSIGN_OR_RETURN(
        NextBestActionTable t,
        experiments::RankNextBestActions(segment, counts.at_step[g], actions, min_count, level));
    tables.push_back(std::move(t));
  }
  return tables;
}

}  // namespace signpost::engine
