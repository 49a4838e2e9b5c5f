// FunnelService's insights: step drivers (what is associated with converting at a step). The
// counts come from the analytics kernel (analytics/step_drivers.h) under the index's shared lock,
// the statistics from src/experiments (association.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analytics/step_drivers.h"
#include "analytics/step_importance.h"
#include "engine/funnel_service.h"
#include "experiments/association.h"
#include "experiments/logistic.h"
#include "experiments/stats.h"
#include "rules/property_path.h"

namespace signpost::engine {

namespace {

constexpr size_t kMaxDriverPaths = 20;  // properties, traits and segments each

// Checks the query's bounds (everything here may come from outside) and parses its paths.
Status ReadDriverCandidates(const StepDriversQuery& q, analytics::DriverCandidates* out) {
  if (q.properties.size() > kMaxDriverPaths || q.traits.size() > kMaxDriverPaths ||
      q.segments.size() > kMaxDriverPaths)
    return Status::InvalidArgument(
        fmt::format("properties, traits, segments: at most {} of each", kMaxDriverPaths));
  if (!(q.fdr > 0 && q.fdr < 1))
    return Status::InvalidArgument("fdr: give a rate between 0 and 1, e.g. 0.05");
  if (q.top < 1 || q.top > 1000) return Status::InvalidArgument("top: give 1 to 1000");
  if (q.max_values < 1 || q.max_values > 1000)
    return Status::InvalidArgument("max_values: give 1 to 1000");
  if (q.min_count < 1) return Status::InvalidArgument("min_count: give at least 1");
  for (const std::string& text : q.properties) {
    auto path = rules::ParsePropertyPath(text);
    if (!path.ok()) return Status::InvalidArgument("properties: " + path.status().message());
    if (path->scope == rules::PropertyScope::kTraits)
      return Status::InvalidArgument("properties: '" + text +
                                     "' is a trait; pass it in traits (read as of the step)");
    out->properties.push_back(std::move(*path));
  }
  for (const std::string& text : q.traits) {
    auto path = rules::ParsePropertyPath(text);
    if (!path.ok()) return Status::InvalidArgument("traits: " + path.status().message());
    if (path->scope != rules::PropertyScope::kTraits)
      return Status::InvalidArgument("traits: '" + text + "' is not a trait; write traits.NAME");
    out->traits.push_back(std::move(*path));
  }
  out->max_values = q.max_values;
  return Status::Ok();
}

}  // namespace

Result<StepDriversReport> FunnelService::Drivers(const StepDriversQuery& query) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  analytics::DriverCandidates cand;
  SP_RETURN_IF_ERROR(ReadDriverCandidates(query, &cand));
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(query.funnel));
  std::vector<std::pair<std::string, std::vector<ProfileId>>> segments;
  for (const SegmentId& s : query.segments) {
    SP_ASSIGN_OR_RETURN(std::vector<ProfileId> members, segments_.Members(s));
    segments.emplace_back(s.value(), std::move(members));
  }
  SP_ASSIGN_OR_RETURN(
      analytics::StepDriverCounts counts,
      events_.ReadIndex([&](const analytics::EventIndex& index,
                            const analytics::PropertySource* properties)
                            -> Result<analytics::StepDriverCounts> {
        for (auto& [name, members] : segments) {
          analytics::DriverCandidates::Segment seg{name,
                                                   std::vector<uint8_t>(index.SlotCount(), 0)};
          for (ProfileId p : members) {
            const int64_t slot = index.SlotOf(p);
            if (slot >= 0) seg.slots[static_cast<size_t>(slot)] = 1;
          }
          cand.segments.push_back(std::move(seg));
        }
        SP_RETURN_IF_ERROR(
            NarrowToConsent(index, properties, f, f.options.to.value_or(clock_.NowMs())).status());
        return analytics::CountStepDrivers(index, f.def, f.options, query.step, query.to_goal, cand,
                                           properties);
      }));
  StepDriversReport r;
  r.funnel = f.def.id;
  r.version = f.options.definition_version;
  r.step = counts.step + 1;
  r.step_name = f.def.steps[counts.step].name;
  r.target_step = counts.target + 1;
  r.target_name = f.def.steps[counts.target].name;
  r.segment = !query.funnel.segment.empty();
  r.population = fmt::format("people who reached step {} ({}){}", r.step, r.step_name,
                             r.segment ? " in segment " + query.funnel.segment.value() : "");
  if (!f.def.consent.empty()) r.population += " with tracking consent";
  r.reached = counts.reached;
  r.converted = counts.converted;
  r.rate = counts.reached == 0
               ? 0.0
               : static_cast<double>(counts.converted) / static_cast<double>(counts.reached);
  r.min_count = query.min_count;
  r.fdr = query.fdr;
  r.candidates = counts.candidates.size();
  r.values_dropped = counts.values_dropped;
  experiments::RankDrivers(std::move(counts.candidates), query.min_count, query.fdr, query.top, &r);
  return r;
}

namespace {

// One group's rows and model from its milestone patterns.
StepImportanceGroup ImportanceOf(const analytics::FunnelDefinition& def,
                                 const analytics::MilestoneCounts& c, double l2) {
  StepImportanceGroup g;
  g.entered = c.entered;
  g.reached_goal = c.reached_goal;
  g.goal_rate =
      c.entered == 0 ? 0.0 : static_cast<double>(c.reached_goal) / static_cast<double>(c.entered);
  std::vector<experiments::BinaryPattern> train, test;
  for (const analytics::MilestonePattern& p : c.patterns) {
    (p.held_out ? test : train).push_back({p.milestones, p.goal, p.no_goal});
    (p.held_out ? g.test_people : g.train_people) += p.goal + p.no_goal;
  }
  const int m = static_cast<int>(c.steps.size());
  const experiments::LogisticModel model = experiments::FitLogistic(train, m, l2);
  const experiments::LogisticScore score = experiments::ScoreLogistic(model, test);
  g.intercept = model.intercept;
  g.converged = model.converged;
  g.accuracy = score.accuracy;
  g.baseline = score.baseline;
  g.log_loss = score.log_loss;
  for (int j = 0; j < m; ++j) {
    StepImportanceRow row;
    row.step = c.steps[j] + 1;
    row.name = def.steps[c.steps[j]].name;
    row.optional = def.steps[c.steps[j]].optional;
    for (const analytics::MilestonePattern& p : c.patterns) {
      const bool has = (p.milestones >> j) & 1;
      (has ? row.with : row.without) += p.goal + p.no_goal;
      (has ? row.with_goal : row.without_goal) += p.goal;
    }
    auto rate = [](uint64_t k, uint64_t n) {
      return n == 0 ? 0.0 : static_cast<double>(k) / static_cast<double>(n);
    };
    row.rate_with = rate(row.with_goal, row.with);
    row.rate_without = rate(row.without_goal, row.without);
    row.difference = row.rate_with - row.rate_without;
    row.difference_interval = experiments::stats::NewcombeDifference(row.with_goal, row.with,
                                                                     row.without_goal, row.without);
    row.coefficient = model.coefficients[j];
    row.odds_ratio = std::exp(row.coefficient);
    g.steps.push_back(std::move(row));
  }
  std::stable_sort(g.steps.begin(), g.steps.end(),
                   [](const StepImportanceRow& a, const StepImportanceRow& b) {
                     return a.coefficient > b.coefficient;
                   });
  return g;
}

}  // namespace

Result<StepImportanceReport> FunnelService::Importance(const StepImportanceQuery& query) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  if (!(query.l2 >= 0 && query.l2 <= 1e6))
    return Status::InvalidArgument("l2: give a penalty from 0 to 1000000, e.g. 1");
  if (query.segments.size() > kMaxDriverPaths)
    return Status::InvalidArgument(fmt::format("segments: at most {}", kMaxDriverPaths));
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(query.funnel));
  std::vector<std::vector<ProfileId>> members;
  for (const SegmentId& s : query.segments) {
    SP_ASSIGN_OR_RETURN(std::vector<ProfileId> m, segments_.Members(s));
    members.push_back(std::move(m));
  }
  StepImportanceReport r;
  r.funnel = f.def.id;
  r.version = f.options.definition_version;
  r.l2 = query.l2;
  SP_RETURN_IF_ERROR(events_.ReadIndex([&](const analytics::EventIndex& index,
                                           const analytics::PropertySource* properties) -> Status {
    SP_RETURN_IF_ERROR(
        NarrowToConsent(index, properties, f, f.options.to.value_or(clock_.NowMs())).status());
    for (size_t g = 0; g <= members.size(); ++g) {
      analytics::FunnelOptions options = f.options;
      if (g > 0) {
        // The segment, within the query's own population (its segment and consent).
        std::vector<ProfileId> in = members[g - 1];
        if (options.segment) {
          std::vector<ProfileId> base = *options.segment;
          std::sort(base.begin(), base.end(),
                    [](ProfileId a, ProfileId b) { return a.value() < b.value(); });
          std::vector<ProfileId> both;
          for (ProfileId p : in)
            if (std::binary_search(base.begin(), base.end(), p,
                                   [](ProfileId a, ProfileId b) { return a.value() < b.value(); }))
              both.push_back(p);
          in = std::move(both);
        }
        options.segment = std::move(in);
      }
      SP_ASSIGN_OR_RETURN(analytics::MilestoneCounts c,
                          analytics::CountMilestones(index, f.def, options, properties));
      r.goal_step = c.goal + 1;
      r.goal_name = f.def.steps[c.goal].name;
      StepImportanceGroup group = ImportanceOf(f.def, c, query.l2);
      if (g > 0) group.segment = query.segments[g - 1].value();
      r.groups.push_back(std::move(group));
    }
    return Status::Ok();
  }));
  return r;
}

}  // namespace signpost::engine
