// Segment definitions: the parsed, validated form of a `kind: segment` document (YAML or JSON).
// A segment is a rule over one profile: did an event (how often, how recently), has a trait, is in
// another segment, combined with all / any / not. The format is documented in README.md here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/condition.h"
#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/reports.h"
#include "signpost/status.h"

namespace signpost::segments {

// One count test of an event rule, e.g. {gte: 1}: `count <op> n`.
// `op` is one of =, !=, <, <=, >, >=.
struct CountTest {
  rules::Op op = rules::Op::kGe;
  int64_t n = 1;
  // Whether `count` passes. Pure.
  bool Holds(int64_t count) const;
};

struct Rule {
  enum class Kind { kEvent, kTrait, kSegment, kAll, kAny, kNot, kFunnel };
  Kind kind = Kind::kEvent;
  std::string field;  // where it was written, e.g. "rule.all[1].not", for messages
  int line = 0;       // its YAML line (1-based), for messages

  // kEvent: events named `event` whose properties meet `where`, counted in the window
  // [at - within, at] (every event up to `at` when `within` is unset); all `count` tests must hold.
  std::string event;
  std::vector<rules::Condition> where;  // paths are properties.*
  std::vector<CountTest> count;         // {gte: 1} when not written
  std::optional<DurationMs> within;
  // kTrait: every condition holds on the profile's traits as of `at` (paths are traits.<name>).
  std::vector<rules::Condition> traits;
  // kSegment: membership in another segment (rule or static).
  SegmentId segment;
  // kFunnel: the profile's position in stored funnel `funnel` as of `at`: its last completed
  // required step is >= `reached` (0: no bound) and < `not_reached` (0: no bound), and, for each
  // `stuck_for` test, a step was completed and the time since it (at - last_step_at) passes it.
  FunnelId funnel;
  int reached = 0, not_reached = 0;
  std::vector<std::pair<rules::Op, DurationMs>> stuck_for;  // op: > >= < <=
  // kAll / kAny: every / some child holds (all of none is true, any of none is false);
  // kNot: the single child does not hold.
  std::vector<Rule> children;
};

struct SegmentDefinition {
  SegmentId id;
  std::string name;  // display name; the id when not given
  std::string note;
  Rule rule;
  uint64_t version = 0;  // set by whoever stored it (0 = not stored)
};

// Parses and validates a `kind: segment` document. Returns kInvalidArgument with a message naming
// the field (e.g. `rule.all[1].within`), the YAML line and the fix. References to other segments
// are checked by SegmentCatalog::Put, not here. Pure: thread-safe.
Result<SegmentDefinition> ParseSegmentDefinition(std::string_view text);

// The segment names `rule` refers to directly or through its children, in order written (may
// repeat).
void ReferencesOf(const Rule& rule, std::vector<SegmentId>* out);
// The funnels `rule` reads (its `funnel:` rules, not through other segments), in order written.
void FunnelsOf(const Rule& rule, std::vector<FunnelId>* out);

// The rule as the segment views show it: conditions and counts as text ("properties.total > 0",
// ">= 1"). Pure.
SegmentRuleView RuleView(const Rule& rule);

}  // namespace signpost::segments
