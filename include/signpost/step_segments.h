// The people stuck at a funnel step now (GET /api/funnels/{id}/stuck): what a step segment
// `funnel: {id, reached: K, not_reached: K+1, stuck_for: {gt: D}}` would hold, counted for the
// dashboard's "make this a live segment" line. A typed query and its report, as queries.h and
// reports.h hold the others.
#pragma once

#include <cstdint>
#include <string>

#include "signpost/clock.h"
#include "signpost/ids.h"

namespace signpost {

// Reached step `step` of stored funnel `funnel`, not step `step` + 1, for longer than `stuck_for`.
struct FunnelStuckQuery {
  FunnelId funnel;
  int step = 0;              // 1-based, before the last step
  DurationMs stuck_for = 0;  // > 0; at most 365 days
};

// How many people are stuck there now.
struct FunnelStuck {
  FunnelId funnel;
  int64_t version = 0;  // the funnel's latest version, which step segments read
  int step = 0, next_step = 0;
  std::string step_name, next_step_name;
  DurationMs stuck_for = 0;
  TimeMs as_of = 0;     // the engine clock's now
  uint64_t people = 0;  // at `step` (not `next_step`) for longer than `stuck_for`
};

}  // namespace signpost
