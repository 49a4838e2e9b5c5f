// The goal of a journey: its type, what meets it and an optional target, parsed from the `goal:`
// block of a journey definition. One goal per journey; rules in src/goals/README.md.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "rules/event_matcher.h"
#include "signpost/status.h"

namespace signpost::goals {

enum class GoalType {
  kDrivePurchase,
  kEngageCustomers,
  kIncreaseLoyalty,
  kOnboardNewPeople,
  kGeneralNotification,
  kCustom
};

// "drive_purchase", "engage_customers", ... as written in definitions.
const char* GoalTypeName(GoalType t);

// What meets a goal: a custom trigger (a track event with conditions on its properties), or for
// general_notification one of the journey's own message metrics.
enum class MetWhenKind { kEvent, kOpenedAnyMessage, kClickedAnyMessage };

// A target: a count of profiles, or a percent of the unique profiles that entered.
struct GoalTarget {
  enum class Kind { kCount, kPercent } kind = Kind::kCount;
  double value = 0;  // count >= 1, or percent in (0, 100]
};

struct GoalDefinition {
  GoalType type = GoalType::kCustom;
  MetWhenKind met_when = MetWhenKind::kEvent;
  rules::EventMatcher trigger;  // kEvent only: event name and `properties.*` conditions
  std::optional<GoalTarget> target;
};

// Parses the `goal:` block of a journey; `field` is its name in messages ("goal").
// On failure returns kInvalidArgument whose message names the field (e.g. "goal.met_when.event"),
// the YAML line when known, why it is refused and the fix. Refused: an unknown type, a reserved
// system event or an identify/trait change as met_when, opened/clicked_any_message outside
// general_notification (and anything else for it), conditions on anything but `properties.*`, a
// percent outside (0, 100], a count below 1, a list of goals. Pure: thread-safe.
Result<GoalDefinition> ParseGoal(const YAML::Node& goal, std::string_view field);

// The same for the goal block as JSON (how journey definitions keep it); `field` as above.
Result<GoalDefinition> ParseGoalJson(const nlohmann::json& goal, std::string_view field);

// Checks a whole journey document (its top-level map) holds at most one goal: no `goals:` key,
// `goal:` not repeated and not a list. kInvalidArgument "one goal per journey" otherwise.
// Pure: thread-safe.
Status CheckOneGoal(const YAML::Node& journey);

// True when two goals are met by the same custom trigger: the same event and the same conditions
// (in any order). Message-metric goals are never the same trigger (each counts its own journey's
// messages). Pure: thread-safe.
bool SameTrigger(const GoalDefinition& a, const GoalDefinition& b);

// The goal as defined, for reports: {type, met_when: {event, where} | "opened_any_message" |
// "clicked_any_message", target: {count|percent} | null}.
nlohmann::json ToJson(const GoalDefinition& goal);

}  // namespace signpost::goals
