// JSON at the edge for step segments (funnel_stuck_json.cc): the stuck-at-a-step query read from
// its parameters and its count written with the step segment rule it is the membership of.
//
// Thread-safety: pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "signpost/status.h"
#include "signpost/step_segments.h"

namespace signpost::wire {

// `step` (required, from 1) and `for` (a duration, default "2d", more than 0 and at most 365d) of
// funnel `id`'s stuck count. kInvalidArgument naming the field otherwise.
Result<FunnelStuckQuery> ParseFunnelStuckQuery(std::string_view id, const nlohmann::json& query);
// {funnel, version, step, step_name, next_step, next_step_name, for, for_ms, as_of, people, rule}:
// `rule` is the step segment rule whose members these people are (a segment's `rule:`).
nlohmann::json ToJson(const FunnelStuck& stuck);

}  // namespace signpost::wire
