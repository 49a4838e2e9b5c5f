// The join of the next best action's two halves: the analytics kernel's counts per group
// (analytics/next_best_action.h) ranked into one table per group by the experiments module
// (experiments/next_best_action.h). Shared by FunnelService::NextBestAction and the seeded
// simulation (nba_simulation.h), so both rank the same way. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/next_best_action.h"
#include "signpost/insights.h"
#include "signpost/status.h"

namespace signpost::engine {

// One table per group of `counts`: everyone first, then `segments` (the names of the groups after
// it, in order). kInvalidArgument when the counts are inconsistent.
Result<std::vector<NextBestActionTable>> RankNextBestActionTables(
    const analytics::NextBestActionCounts& counts, const std::vector<std::string>& segments,
    uint64_t min_count, double level);

}  // namespace signpost::engine
