// JSON at the edge for the funnel insights (include/signpost/insights.h): the step-drivers query
// read from query parameters or a JSON body, and its report written as docs/openapi.yaml's
// StepDrivers document.
//
// Thread-safety: pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "signpost/insights.h"
#include "signpost/status.h"

namespace signpost::wire {

// The funnel's fields as ParseFunnelQuery reads them (id, version, steps, definition, window,
// order, entry, from, to, segment), and: step (required), to (goal: `target=goal`), properties,
// traits, segments (comma-separated text or lists), min_count, max_values, top, fdr. Missing
// fields keep their defaults; kInvalidArgument naming the field otherwise.
Result<StepDriversQuery> ParseStepDriversQuery(std::string_view id, const nlohmann::json& query);

// {funnel, version, step, step_name, target_step, target_name, population, segment, reached,
// converted, rate, min_count, fdr, candidates, tested, significant, values_dropped, drivers:
// [{kind, event, path, value, converted_with, dropped_with, converted_without, dropped_without,
// people_with, rate_with, rate_without, difference, difference_interval, odds_ratio,
// odds_ratio_interval, p_value, q_value, significant}]}.
nlohmann::json ToJson(const StepDriversReport& report);

// The funnel's fields as ParseFunnelQuery reads them, and: segments (a group each), l2.
Result<StepImportanceQuery> ParseStepImportanceQuery(std::string_view id,
                                                     const nlohmann::json& query);
// {funnel, version, goal_step, goal_name, l2, groups: [{segment (null: everyone), entered,
// reached_goal, goal_rate, intercept, converged, train_people, test_people, accuracy, baseline,
// log_loss, steps: [{step, name, optional, with, with_goal, without, without_goal, rate_with,
// rate_without, difference, difference_interval, coefficient, odds_ratio}]}]}.
nlohmann::json ToJson(const StepImportanceReport& report);

// Next best action: step (required), segment, refresh (true/false). kInvalidArgument naming the
// field.
Result<NextBestActionQuery> ParseNextBestActionQuery(std::string_view id,
                                                     const nlohmann::json& query);
// {funnel, version, step, step_name, target_step, target_name, population, as_of, min_count,
// level, tables: [{segment (null: everyone), at_step, recommended (null: none), evidence (lift |
// none), rows: [{kind, action, journey, step, treated, treated_converted, holdout,
// holdout_converted, treated_rate, holdout_rate, lift, lift_interval, relative_lift,
// relative_interval, tested, positive}]}]}.
nlohmann::json ToJson(const NextBestActionReport& report);
// {funnel, profile, at, last_step, stuck, segment (null: everyone), recommended (null: none),
// evidence, row (null or a row as above), as_of (null when no snapshot was read)}.
nlohmann::json ToJson(const ProfileNextBestAction& nba);

}  // namespace signpost::wire
