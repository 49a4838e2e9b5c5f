// FunnelService's multi-path reporting: the counts come from the analytics kernel
// (analytics/funnel_paths.h) under the index's shared lock; the optional steps' statistics from
// src/experiments (association.h: the same Newcombe interval and Fisher test as step drivers).
#include "analytics/funnel_paths.h"

#include <fmt/format.h>

#include "engine/funnel_service.h"
#include "experiments/association.h"

namespace signpost::engine {

Result<FunnelPathsReport> FunnelService::Paths(const FunnelPathsQuery& query) const {
  SP_RETURN_IF_ERROR(events_.RequireIndex());
  if (query.max_length < 1 || query.max_length > kMaxPathLength)
    return Status::InvalidArgument(fmt::format("max_length: give 1 to {}", kMaxPathLength));
  if (query.top < 1 || query.top > kMaxPathTop)
    return Status::InvalidArgument(fmt::format("top: give 1 to {}", kMaxPathTop));
  SP_ASSIGN_OR_RETURN(Resolved f, Resolve(query.funnel));
  analytics::PathOptions po;
  po.step = query.step;
  po.max_length = query.max_length;
  po.top = query.top;
  po.collapse_repeats = query.collapse_repeats;
  SP_ASSIGN_OR_RETURN(
      FunnelPathsReport r, events_.ReadIndex([&](const analytics::EventIndex& index,
                                                 const analytics::PropertySource* properties)
                                                 -> Result<FunnelPathsReport> {
        SP_RETURN_IF_ERROR(
            NarrowToConsent(index, properties, f, f.options.to.value_or(clock_.NowMs())).status());
        return analytics::CountFunnelPaths(index, f.def, f.options, po, properties);
      }));
  // Did the optional step (with) against skipped it (without), completion as the outcome: a
  // two-by-two table as a step driver's, so the statistics are computed once, there.
  for (OptionalStepEffect& e : r.optional) {
    StepDriver d;
    d.converted_with = e.with_completed;
    d.dropped_with = e.with - e.with_completed;
    d.converted_without = e.without_completed;
    d.dropped_without = e.without - e.without_completed;
    experiments::AssessDriver(&d);
    e.rate_with = d.rate_with;
    e.rate_without = d.rate_without;
    e.difference = d.difference;
    e.difference_interval = d.difference_interval;
    e.p_value = d.p_value;
  }
  return r;
}

}  // namespace signpost::engine
