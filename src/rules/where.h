// Reading conditions from definitions (YAML or JSON): `where: { path: value | [values] |
// { op: operand } }` maps and `{ event, where }` matchers. Shared by every kind of definition that
// matches events or traits (funnels, segments, journeys, goals). Messages name the field and the
// fix.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "rules/condition.h"
#include "rules/event_matcher.h"
#include "signpost/status.h"

namespace signpost::rules {

// The text of a scalar node; kInvalidArgument naming `field` when it is a list or map.
Result<std::string> ScalarAt(const YAML::Node& node, const std::string& field);
// kInvalidArgument naming the first key of `map` outside `allowed` (operator names also pass when
// `allow_ops`), listing the allowed keys.
Status KeysAllowed(const YAML::Node& map, const std::string& field,
                   const std::set<std::string>& allowed, bool allow_ops);
// One condition from an operator name ("gt", ">", "in", ...) and its operand.
Result<Condition> ParseCondition(const PropertyPath& path, const std::string& op_text,
                                 const YAML::Node& operand, const std::string& field);
// Appends the conditions of a `where` map to `out` (all must hold).
Status ParseWhere(const YAML::Node& where, const std::string& field, std::vector<Condition>* out);
// `{ event: <name>, where: {...} }`.
Result<EventMatcher> ParseMatcher(const YAML::Node& node, const std::string& field);

}  // namespace signpost::rules
