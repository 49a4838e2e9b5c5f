// StoredDefinitionReads (catalog_service.h): what the stored funnels, journeys (and their goals)
// and segments read, for the drift findings to name.
#include <fmt/format.h>

#include "analytics/funnel_definition.h"
#include "engine/catalog_service.h"
#include "goals/goal_definition.h"
#include "journeys/journey_definition.h"
#include "segments/segment_definition.h"

namespace signpost::engine {

namespace {

std::vector<std::string> PathsOf(const std::vector<rules::Condition>& where) {
  std::vector<std::string> out;
  for (const rules::Condition& c : where) out.push_back(c.path.text);
  return out;
}

void AddMatcher(std::vector<analytics::DefinitionRead>& out, DriftAffected who,
                const rules::EventMatcher& m) {
  out.push_back({std::move(who), m.event, PathsOf(m.where)});
}

}  // namespace

Result<std::vector<analytics::DefinitionRead>> StoredDefinitionReads(const store::Store& store) {
  std::vector<analytics::DefinitionRead> out;
  SP_ASSIGN_OR_RETURN(auto funnels, store.definitions().List(DefinitionKind::kFunnel));
  for (const auto& r : funnels) {
    auto def = analytics::ParseFunnelDefinition(r.body);
    if (!def.ok()) continue;
    for (size_t i = 0; i < def->steps.size(); ++i) {
      const analytics::FunnelStep& step = def->steps[i];
      const DriftAffected who{"funnel", r.id, fmt::format("step {} '{}'", i + 1, step.name)};
      for (const rules::EventMatcher& m : step.any_of) AddMatcher(out, who, m);
      if (step.status) out.push_back({who, "", {step.status->path.text}});
    }
    for (size_t i = 0; i < def->exclusions.size(); ++i) {
      AddMatcher(out, {"funnel", r.id, fmt::format("exclusion {}", i + 1)},
                 def->exclusions[i].matcher);
    }
  }
  SP_ASSIGN_OR_RETURN(auto journeys, store.definitions().List(DefinitionKind::kJourney));
  for (const auto& r : journeys) {
    auto def = journeys::ParseJourneyDefinition(r.body, journeys::References{});
    if (!def.ok()) continue;
    if (def->entry.trigger) AddMatcher(out, {"journey", r.id, "trigger"}, *def->entry.trigger);
    for (const journeys::Step& step : def->steps) {
      if (step.kind == journeys::StepKind::kWait && step.wait == journeys::WaitKind::kEvent) {
        const DriftAffected who{"journey", r.id, fmt::format("wait step '{}'", step.id)};
        AddMatcher(out, who, step.await);
        for (const journeys::Correlation& c : step.correlate)
          out.push_back({who, step.await.event, {c.path.text}});
      } else if (step.kind == journeys::StepKind::kBranch) {
        const DriftAffected who{"journey", r.id, fmt::format("branch step '{}'", step.id)};
        for (const journeys::BranchArm& arm : step.arms) {
          if (arm.when.did_event) AddMatcher(out, who, *arm.when.did_event);
          if (!arm.when.traits.empty()) out.push_back({who, "", PathsOf(arm.when.traits)});
        }
      }
    }
    if (!def->goal.is_null()) {
      auto goal = goals::ParseGoalJson(def->goal, "goal");
      if (goal.ok() && goal->met_when == goals::MetWhenKind::kEvent)
        AddMatcher(out, {"goal", r.id, "goal of journey '" + r.id + "'"}, goal->trigger);
    }
  }
  SP_ASSIGN_OR_RETURN(auto segments, store.definitions().List(DefinitionKind::kSegment));
  for (const auto& r : segments) {
    auto def = segments::ParseSegmentDefinition(r.body);
    if (!def.ok()) continue;
    // The rule tree, walked with a stack (its depth is bounded by the parser anyway).
    std::vector<const segments::Rule*> stack = {&def->rule};
    while (!stack.empty()) {
      const segments::Rule* rule = stack.back();
      stack.pop_back();
      const DriftAffected who{"segment", r.id, rule->field.empty() ? "rule" : rule->field};
      if (rule->kind == segments::Rule::Kind::kEvent) {
        out.push_back({who, rule->event, PathsOf(rule->where)});
      } else if (rule->kind == segments::Rule::Kind::kTrait) {
        out.push_back({who, "", PathsOf(rule->traits)});
      }
      for (const segments::Rule& child : rule->children) stack.push_back(&child);
    }
  }
  return out;
}

}  // namespace signpost::engine
