// The event matcher: an event name plus property conditions, the `{ event, where }` of every
// definition that reacts to events (funnel steps and exclusions, journey entries, waits and
// branches, goal triggers). Parsed by ParseMatcher (rules/where.h); evaluated on the columnar
// index by the funnel kernel and on one event's JSON by JsonMatcher (rules/json_match.h).
// Thread-safety: a plain value; const use from any thread.
#pragma once

#include <string>
#include <vector>

#include "rules/condition.h"

namespace signpost::rules {

// Matches events by name and property conditions (all must hold).
struct EventMatcher {
  std::string event;
  std::vector<Condition> where;
};

}  // namespace signpost::rules
