// JSON at the edge for multi-path reporting (include/signpost/funnel_paths.h): the paths query read
// from query parameters or a JSON body, and its report written as docs/openapi.yaml's FunnelPaths
// document.
//
// Thread-safety: pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "signpost/funnel_paths.h"
#include "signpost/status.h"

namespace signpost::wire {

// The funnel's fields as ParseFunnelQuery reads them (id, version, steps, definition, window,
// order, entry, from, to, segment), and: step (default 1), max_length (1-20, default 5), top
// (1-100, default 10), collapse_repeats (true|false, default false). kInvalidArgument naming the
// field otherwise.
Result<FunnelPathsQuery> ParseFunnelPathsQuery(std::string_view id, const nlohmann::json& query);

// {funnel, version, step, step_name, next_step, next_name, goal_step, goal_name, max_length, top,
// collapse_repeats, reached, converted, rate, distinct, untracked,
// sequences: [{events: [names], more, people, converted, share, conversion}],
// other: {people, converted, share, conversion},
// any_of: [{step, name, optional, next_step (null: none), next_name, people,
//           alternatives: [{label, event, people, share, converted, conversion, completed,
//                           completion}]}],
// optional: [{step, name, after_step, after_name, with, with_completed, without,
//             without_completed, rate_with, rate_without, difference, difference_interval,
//             p_value}]}.
nlohmann::json ToJson(const FunnelPathsReport& report);

}  // namespace signpost::wire
