// Funnel definitions: the parsed, validated form of a `kind: funnel` document (YAML or JSON) or
// of an ad-hoc "A>B>C" string. The format is documented in src/analytics/README.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/condition.h"
#include "rules/event_matcher.h"
#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/queries.h"
#include "signpost/status.h"

namespace signpost::analytics {

// The order and entry modes are the public query's (signpost/queries.h).
using OrderMode = FunnelOrder;
using EntryMode = FunnelEntry;

inline const char* OrderModeName(OrderMode m) { return FunnelOrderName(m); }
inline const char* EntryModeName(EntryMode m) { return FunnelEntryName(m); }
// "ordered" | "strict" | "any"; kInvalidArgument naming the choices otherwise.
inline Result<OrderMode> ParseOrderMode(std::string_view text) { return ParseFunnelOrder(text); }
// "any_attempt" | "first_entry" | "each_attempt"; kInvalidArgument naming the choices otherwise.
inline Result<EntryMode> ParseEntryMode(std::string_view text) { return ParseFunnelEntry(text); }

constexpr int kMaxSteps = 64;

struct FunnelStep {
  std::string name;
  // Event matchers, any of which fills the step (one for a plain `event:` step). Empty for a
  // status step.
  std::vector<rules::EventMatcher> any_of;
  // A status step: satisfied by the event at which the trait took a value matching this
  // condition (path is traits.<name>).
  std::optional<rules::Condition> status;
  bool optional = false;
};

// An exclusion: an event matching `matcher` after the event that filled step `from_step` and
// before the one that filled `to_step` (1-based) disqualifies the attempt.
struct Exclusion {
  rules::EventMatcher matcher;
  int from_step = 1;
  int to_step = 2;
};

struct FunnelDefinition {
  FunnelId id;  // the ad-hoc steps text for a funnel of ParseAdHocFunnel
  std::string name;
  std::string note;
  DurationMs window = 7 * kDayMs;  // from step 1, inclusive
  OrderMode order = OrderMode::kOrdered;
  EntryMode entry = EntryMode::kAnyAttempt;
  std::vector<rules::PropertyPath> hold_constant;
  std::vector<FunnelStep> steps;
  std::vector<Exclusion> exclusions;
  // privacy: tracking-consent categories a person needs to be counted (`consent: analytics`),
  // lower case; see analytics/tracking_consent.h.
  std::vector<std::string> consent;
  // next best action (`next_best_action: { segments: [a, b], min_count: 30 }`): the segments whose
  // people get a table of their own (besides everyone), and the people each group of a row needs.
  std::vector<SegmentId> nba_segments;
  uint64_t nba_min_count = 30;
};

// Parses and validates a funnel definition from YAML or JSON text. On failure returns
// kInvalidArgument whose message names the field (e.g. "steps[2].where") and the fix.
// Pure: thread-safe.
Result<FunnelDefinition> ParseFunnelDefinition(std::string_view text);

// An ad-hoc funnel from "Signed Up>Email Verified>Order Completed" (names trimmed), with the
// default window, order and entry. kInvalidArgument for an empty step or more than 64 steps.
Result<FunnelDefinition> ParseAdHocFunnel(std::string_view steps);

// Checks the rules a definition must satisfy (1-64 steps, step 1 not optional, at least one
// required step, exclusion bounds within the steps, positive window). Returns the first problem.
Status ValidateFunnel(const FunnelDefinition& def);

}  // namespace signpost::analytics
