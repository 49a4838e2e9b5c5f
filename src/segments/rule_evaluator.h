// RuleEvaluator: evaluates segment rules for one profile as of one time. Internal to the segments
// module (SegmentCatalog::IsMember makes one per call).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "rules/json_match.h"
#include "segments/profile_facts.h"
#include "segments/segment_definition.h"

namespace signpost::segments {

class RuleEvaluator {
 public:
  // `rule_of(segment)` returns the rule of rule segment `segment` or nullptr when it is not a rule
  // segment (then it is answered as a static list by facts.InStaticSegment). The rules, `facts`
  // must outlive this. Not thread-safe: one per evaluation.
  RuleEvaluator(std::function<const Rule*(const SegmentId&)> rule_of, const ProfileFacts& facts,
                TimeMs at);

  // Membership in segment `segment` (rule or static), memoized for this evaluator.
  Result<bool> InSegment(const SegmentId& segment);
  // Whether `rule` holds. Errors are the storage errors of facts.ForEachEvent.
  Result<bool> Holds(const Rule& rule);

 private:
  Result<bool> EventHolds(const Rule& rule);
  Result<bool> FunnelHolds(const Rule& rule);
  bool TraitsHold(const Rule& rule);

  std::function<const Rule*(const SegmentId&)> rule_of_;
  const ProfileFacts& facts_;
  TimeMs at_;
  rules::JsonMatcher matcher_;
  std::map<SegmentId, bool, std::less<>> memo_;
};

// The first time after `at` at which a `stuck_for` test of `rule` flips for a profile whose last
// completed step was at `last_step_at` (nullopt when none flips later). Pure.
std::optional<TimeMs> StuckFlip(const Rule& rule, TimeMs last_step_at, TimeMs at);

// A condition's value from JSON text ("\"pro\"", "3", "true", "null", "[1,2]"): strings as their
// text (held in `scratch`), numbers, booleans as 0/1, null, objects and arrays as their minified
// text; kMissing for nullopt or malformed text.
rules::ValueRef ValueOfJson(const std::optional<std::string>& json, std::string& scratch);

}  // namespace signpost::segments
