#include "analytics/next_best_action.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "analytics/funnel_kernel.h"
#include "base/system_events.h"
#include "rules/property_path.h"

namespace signpost::analytics {

namespace {

// A value of the journey or step column as a key (a string id or a number), without text.
struct NbaValueKey {
  uint8_t kind = 0;
  double payload = 0;
  bool operator<(const NbaValueKey& o) const {
    return std::tie(kind, payload) < std::tie(o.kind, o.payload);
  }
  bool operator==(const NbaValueKey& o) const { return kind == o.kind && payload == o.payload; }
};

NbaValueKey NbaKeyOf(const rules::ValueRef& v) {
  return {static_cast<uint8_t>(v.kind),
          v.kind == rules::ValueKind::kString ? static_cast<double>(v.string_id) : v.number};
}

// One action's cells while counting, with the values for rendering.
struct NbaTally {
  rules::ValueRef journey, step;  // step kind kMissing for a journey row
  std::vector<ActionCell> cells;
};

// One person's entry into a journey at the step.
struct NbaEntry {
  NbaValueKey journey;
  bool holdout = false;
};

}  // namespace

Result<NextBestActionCounts> CountNextBestActions(const EventIndex& index,
                                                  const FunnelDefinition& def,
                                                  const FunnelOptions& options, int step,
                                                  const std::vector<std::vector<uint8_t>>& segments,
                                                  const PropertySource* source) {
  SP_ASSIGN_OR_RETURN(FunnelPlan plan, CompilePlan(index, def, source));
  if (options.from) plan.from = *options.from;
  if (options.to) plan.to = *options.to;
  if (plan.from > plan.to) return Status::InvalidArgument("from is after to; give from <= to");
  if (step < 1 || step > plan.steps || plan.rank_of_step[step - 1] < 0 ||
      plan.rank_of_step[step - 1] + 1 >= plan.required) {
    return Status::InvalidArgument("step: " + std::to_string(step) +
                                   " must name a required step before the last required one");
  }
  const int rank = plan.rank_of_step[step - 1];
  const size_t groups = segments.size() + 1;
  NextBestActionCounts r;
  r.step = step - 1;
  r.target = plan.step_of_rank[rank + 1];
  r.at_step.assign(groups, 0);

  const uint32_t entered = index.NameId(system_events::kJourneyEntered);
  const uint32_t delivered = index.NameId(system_events::kMessageDelivered);
  if (entered == EventIndex::kNoName) return r;  // nobody ever entered a journey
  SP_ASSIGN_OR_RETURN(auto journey_path, rules::ParsePropertyPath("properties.journey"));
  SP_ASSIGN_OR_RETURN(auto holdout_path, rules::ParsePropertyPath("properties.holdout"));
  SP_ASSIGN_OR_RETURN(auto step_path, rules::ParsePropertyPath("properties.step"));
  SP_ASSIGN_OR_RETURN(const PropertyColumn* journey_col, index.Column(journey_path, source));
  SP_ASSIGN_OR_RETURN(const PropertyColumn* holdout_col, index.Column(holdout_path, source));
  const PropertyColumn* step_col = nullptr;
  if (delivered != EventIndex::kNoName) {
    SP_ASSIGN_OR_RETURN(step_col, index.Column(step_path, source));
  }

  std::vector<uint8_t> only;
  if (options.segment) {
    only.assign(index.SlotCount(), 0);
    for (ProfileId id : *options.segment) {
      const int64_t slot = index.SlotOf(id);
      if (slot >= 0) only[static_cast<size_t>(slot)] = 1;
    }
  }
  // Keyed by (journey, step); a journey row has a missing step.
  std::map<std::pair<NbaValueKey, NbaValueKey>, NbaTally> tallies;
  std::vector<size_t> member_of;  // the groups of the current person
  std::vector<NbaEntry> person_entries;
  std::vector<std::pair<NbaValueKey, NbaValueKey>> person_messages;
  ViewScratch view_scratch;
  PreparedProfile prepared;
  Attempt scratch_a, scratch_b;
  const uint32_t slots = index.SlotCount();
  for (uint32_t slot = 0; slot < slots; ++slot) {
    if (!only.empty() && !only[slot]) continue;
    ProfileView view = index.View(slot, &view_scratch);
    if (view.size == 0) continue;
    PrepareProfile(plan, view, &prepared);
    member_of.assign(1, 0);
    for (size_t g = 0; g < segments.size(); ++g)
      if (slot < segments[g].size() && segments[g][slot]) member_of.push_back(g + 1);
    ForEachCountedAttempt(plan, prepared, true, &scratch_a, &scratch_b, [&](const Attempt& a) {
      if (a.level < rank + 1) return;
      const bool converted = a.level >= rank + 2;
      const size_t begin = static_cast<size_t>(a.level_pos[rank]) + 1;
      size_t end;
      if (converted) {
        end = static_cast<size_t>(a.level_pos[rank + 1]);
      } else {
        const TimeMs last = view.ts[a.start] + plan.window;
        end = static_cast<size_t>(std::upper_bound(view.ts, view.ts + view.size, last) - view.ts);
      }
      person_entries.clear();
      person_messages.clear();
      auto tally = [&](const rules::ValueRef& j, const rules::ValueRef& s) -> NbaTally& {
        NbaTally& t = tallies[{NbaKeyOf(j), NbaKeyOf(s)}];
        if (t.cells.empty()) {
          t.journey = j;
          t.step = s;
          t.cells.assign(groups, {});
        }
        return t;
      };
      for (size_t i = begin; i < end; ++i) {
        const uint32_t nm = view.name[i];
        if (nm != entered && nm != delivered) continue;
        const int64_t ref = view.RefAt(i);
        const rules::ValueRef j = journey_col->Get(ref);
        if (j.kind == rules::ValueKind::kMissing) continue;
        const NbaValueKey jk = NbaKeyOf(j);
        auto it = std::find_if(person_entries.begin(), person_entries.end(),
                               [&](const NbaEntry& e) { return e.journey == jk; });
        if (nm == entered) {
          if (it != person_entries.end()) continue;  // its first entry in the exposure counts
          const rules::ValueRef h = holdout_col->Get(ref);
          const bool holdout = h.kind == rules::ValueKind::kBool && h.number != 0;
          person_entries.push_back({jk, holdout});
          NbaTally& t = tally(j, {});
          for (size_t g : member_of) {
            ActionCell& c = t.cells[g];
            ++(holdout ? c.holdout : c.treated);
            if (converted) ++(holdout ? c.holdout_converted : c.treated_converted);
          }
          continue;
        }
        // A delivered message: counted for a treated entry of its journey, once per step.
        if (it == person_entries.end() || it->holdout) continue;
        const rules::ValueRef s = step_col->Get(ref);
        if (s.kind == rules::ValueKind::kMissing) continue;
        const std::pair<NbaValueKey, NbaValueKey> mk{jk, NbaKeyOf(s)};
        if (std::find(person_messages.begin(), person_messages.end(), mk) != person_messages.end())
          continue;
        person_messages.push_back(mk);
        NbaTally& t = tally(j, s);
        for (size_t g : member_of) {
          ++t.cells[g].treated;
          if (converted) ++t.cells[g].treated_converted;
        }
      }
      if (!person_entries.empty())
        for (size_t g : member_of) ++r.at_step[g];
    });
  }
  // Journey rows first (rendered), then each message row takes its journey's held-out people.
  std::map<std::pair<std::string, std::string>, ActionCounts> rendered;
  for (const auto& [key, t] : tallies) {
    ActionCounts a;
    a.journey = rules::RenderValue(t.journey);
    if (t.step.kind != rules::ValueKind::kMissing) a.step = rules::RenderValue(t.step);
    a.cells = t.cells;
    rendered[{a.journey, a.step}] = std::move(a);
  }
  for (auto& [key, a] : rendered) {
    if (a.step.empty()) continue;
    auto j = rendered.find({a.journey, ""});
    if (j == rendered.end()) continue;
    for (size_t g = 0; g < groups; ++g) {
      a.cells[g].holdout = j->second.cells[g].holdout;
      a.cells[g].holdout_converted = j->second.cells[g].holdout_converted;
    }
  }
  for (auto& [key, a] : rendered) r.actions.push_back(std::move(a));
  return r;
}

}  // namespace signpost::analytics
