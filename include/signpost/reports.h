// Typed reports the Engine returns: the funnel report, a funnel's people, the last completed step
// of a profile, people saved as a segment, a journey's goal report and goal people, and the
// catalog: applied and stored definitions, profiles and their events, keys, dead letters. src/wire
// writes each as the JSON document docs/openapi.yaml describes (the HTTP API and `--json`); the
// command line may print from the fields directly.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "signpost/clock.h"
#include "signpost/definition_kind.h"
#include "signpost/event.h"
#include "signpost/ids.h"
#include "signpost/rejection.h"

namespace signpost {

// ---- funnels ------------------------------------------------------------------------------------

// Time between two steps over the attempts that made it: nearest-rank median and p90, and mean.
struct FunnelTiming {
  uint64_t samples = 0;
  DurationMs median_ms = 0;
  DurationMs p90_ms = 0;
  double mean_ms = 0;
};

struct FunnelStepStats {
  std::string name;
  bool optional = false;
  uint64_t count = 0;                   // profiles (or attempts, for each_attempt) that reached it
  double conversion_from_previous = 0;  // count / count of the previous required step (1 for 1)
  double conversion_from_first = 0;     // count / count of step 1
  uint64_t dropped = 0;                 // reached this step but not the next required one
  double dropoff_rate = 0;              // dropped / count
  std::optional<FunnelTiming> time_from_previous;  // required steps after step 1
};

// Counts of time-to-convert (step 1 to the last step) in buckets [edges[i], edges[i+1]); the
// last bucket is [edges.back(), infinity).
struct FunnelHistogram {
  std::vector<DurationMs> edges;
  std::vector<uint64_t> counts;
};

struct FunnelCompletion {
  DurationMs window = 0;
  uint64_t entered = 0;
  uint64_t completed = 0;
  double rate = 0;
};

struct FunnelTrendPoint {
  TimeMs start = 0;  // start of the day or week (UTC; weeks start on Monday)
  uint64_t entered = 0;
  uint64_t completed = 0;
  double rate = 0;
};

struct FunnelBreakdownRow {
  std::string value;  // the attributed value, "(none)" when missing, "other" for the rest
  std::vector<uint64_t> counts;  // per step, like FunnelStepStats::count
  double conversion = 0;         // last required step / step 1
};

struct FunnelReport {
  std::string definition_id;  // "" for an ad-hoc funnel without an id
  int64_t definition_version = 0;
  std::string name;               // the definition's name
  std::string unit = "profiles";  // "attempts" for each_attempt
  std::string order, entry;
  DurationMs window = 0;
  std::optional<TimeMs> from, to;
  bool segment = false;  // restricted to a set of profiles
  uint64_t segment_size = 0;
  uint64_t entered = 0;    // = steps[0].count
  uint64_t completed = 0;  // reached the last required step
  double conversion = 0;   // completed / entered
  std::vector<FunnelStepStats> steps;
  FunnelHistogram time_to_convert;
  std::vector<FunnelCompletion> completion;
  std::string trend_unit;  // "", "day" or "week"
  std::vector<FunnelTrendPoint> trend;
  std::string breakdown_by;  // "" when no breakdown
  std::string attribution;   // "first", "last" or "step:N"
  std::vector<FunnelBreakdownRow> breakdown;
};

// A person in a funnel's people list.
struct FunnelPerson {
  ProfileId profile;
  int last_step = 0;  // 1-based index of the last required step reached; 0 none
  std::string last_step_name;
  TimeMs last_step_at = 0;              // when it was reached
  DurationMs stuck_ms = 0;              // now - last_step_at
  std::vector<std::string> identities;  // in people lists: every identity of the profile
};

// The people of a funnel (FunnelPeopleQuery), one per profile, sorted by profile id.
struct FunnelPeople {
  std::string funnel;  // the definition id, "" for an ad-hoc funnel without one
  int64_t version = 0;
  int completed = 0, dropped_at = 0;  // as asked
  std::vector<FunnelPerson> people;
};

// The last completed step of one profile in a stored funnel.
struct FunnelLastStep {
  std::string funnel;
  int64_t version = 0;
  std::string identity;  // the identity asked about, resolved ("user:X" / "anon:X")
  FunnelPerson person;   // last_step 0 when the profile never entered
};

// People of a funnel saved as a static segment.
struct SavedFunnelPeople {
  std::string segment;
  uint64_t version = 0;  // of the segment
  uint64_t members = 0;  // people saved
  std::string note;      // what the version holds, e.g. "people of funnel f v2: completed step 3"
};

// ---- goals --------------------------------------------------------------------------------------

// A confidence interval; a side is infinite when nothing is known (written as null).
struct RateInterval {
  double low = 0, high = 0;
};

// One condition of a goal's trigger as defined: `path` `op` operand.
struct GoalConditionView {
  std::string path;                 // "properties.plan"
  std::string op;                   // "eq", "in", "exists", ...
  std::optional<bool> exists;       // the operand of `exists`
  bool list = false;                // the operand is the list `values` (`in`)
  std::vector<std::string> values;  // else the first value is the operand (none: null)
};

// A journey's goal as defined.
struct GoalView {
  std::string type;      // "drive_purchase", ...
  std::string met_when;  // "opened_any_message" | "clicked_any_message" | "" (an event: below)
  std::string event;     // the trigger event when met_when is ""
  std::vector<GoalConditionView> where;
  enum class TargetKind { kNone, kCount, kPercent } target = TargetKind::kNone;
  double target_value = 0;
};

struct GoalLift {
  double absolute = 0;
  RateInterval absolute_interval;
  std::optional<double> relative;  // none when the holdout rate is 0
  RateInterval relative_interval;
  double level = 0.95;
  bool significant = false;
};

struct GoalCounts {
  uint64_t entered = 0;
  uint64_t attained = 0;
};

// The goal report of a journey; field meanings in src/goals/README.md.
struct GoalReport {
  std::string journey;
  uint64_t version = 0;
  GoalView goal;
  DurationMs listening_window = 0;
  std::optional<TimeMs> from, to;
  uint64_t entered = 0, attained = 0;  // treated profiles
  double rate = 0;
  RateInterval rate_interval;
  std::optional<double> target_progress;  // none without a target
  GoalCounts holdout;
  double holdout_rate = 0;
  std::optional<GoalLift> lift;  // none without holdout or treated profiles
  std::string over_time_unit;    // "day" | "week"
  struct Bucket {
    std::string date;  // YYYY-MM-DD of the bucket's start
    uint64_t entered = 0, attained = 0, cumulative_attained = 0;
  };
  std::vector<Bucket> over_time;
  struct Variant {
    std::string variant;
    uint64_t entered = 0, attained = 0;
    double rate = 0;
    RateInterval rate_interval;
  };
  std::vector<Variant> by_variant;
  struct Channel {
    std::string channel;
    uint64_t attained = 0;
    double share = 0;
  };
  std::vector<Channel> by_channel;
  struct Segment {
    std::string segment;
    uint64_t entered = 0, attained = 0;
    double rate = 0;
  };
  std::vector<Segment> by_segment;
  struct TimeBucket {
    std::string label;
    DurationMs from_ms = 0;
    std::optional<DurationMs> to_ms;  // none for the last bucket
    uint64_t count = 0;
  };
  struct TimeToGoal {
    uint64_t samples = 0;
    std::vector<TimeBucket> histogram;
    std::optional<DurationMs> median_ms, p90_ms;  // none without samples
    std::optional<double> mean_ms;
  } time_to_goal;
};

// One profile that attained a journey's goal.
struct GoalPerson {
  std::string profile;
  TimeMs attained_at = 0;
  uint32_t entry = 0;
  TimeMs entered_at = 0;
  std::string hit_event;
  std::string channel;
  std::string variant;
  bool holdout = false;
};

// Who attained a journey's goal (holdout members too, flagged), by attained_at then profile.
struct GoalPeople {
  std::string journey;
  std::vector<GoalPerson> people;
};

// ---- definitions, profiles, keys, dead letters ----------------------------------------------

// One definition stored as a new version by an apply.
struct AppliedDefinition {
  DefinitionKind kind = DefinitionKind::kFunnel;
  std::string id;
  uint64_t version = 0;
  std::string note;                  // the apply's note, else the definition's `note`
  std::optional<std::string> name;   // segments: the segment's name
  std::optional<std::string> state;  // journeys: the lifecycle state (draft | live | ...)
};

// The definitions one apply stored, one per document, in order.
struct AppliedDefinitions {
  std::vector<AppliedDefinition> applied;
};

// The latest version of one stored definition.
struct StoredDefinition {
  DefinitionKind kind = DefinitionKind::kFunnel;
  std::string id;
  uint64_t version = 0;
  std::string note;
  TimeMs at = 0;  // when the version was stored
  // Funnels (whose stored text parses): the funnel's name and its steps' names.
  struct Funnel {
    std::string name;
    std::vector<std::string> steps;
  };
  std::optional<Funnel> funnel;
};

// The stored definitions of one kind, by id.
struct DefinitionList {
  std::vector<StoredDefinition> definitions;
};

// One trait set by one identify.
struct ProfileTraitChange {
  std::string trait;       // dotted, e.g. "consent.email"
  std::string value_json;  // the value as the user sent it, as JSON text ("true", "\"pro\"")
  TimeMs timestamp = 0;
  uint64_t seq = 0;
};

// A link refused because both sides already had different userIds.
struct ProfileRefusedMerge {
  std::string identity, other;   // the two identities the event tried to link
  std::string user, other_user;  // the userId held by each side's profile
  std::string message_id;        // the event that asked for the link
  std::string event_type;        // "identify" or "alias"
  TimeMs at = 0;                 // the event's timestamp
};

// Everything known about one profile.
struct ProfileReport {
  ProfileId id;
  std::vector<std::string> identities;  // "user:..", "anon:..", sorted
  // Current traits: dotted name -> the value as JSON text (as the user sent it).
  std::map<std::string, std::string> traits;
  std::vector<ProfileTraitChange> trait_history;  // by (timestamp, seq, name)
  struct Consent {
    std::optional<bool> email, sms, push;  // none when never set
  } consent;
  uint64_t event_count = 0;
  std::optional<TimeMs> first_seen, last_seen;  // event timestamps; none without events
  std::vector<ProfileRefusedMerge> refused_merges;
  std::vector<Event> last_events;  // the latest ten, by (timestamp, seq)
};

// The latest events of one profile, by (timestamp, seq).
struct ProfileEventList {
  ProfileId profile;
  std::string identity;  // the identity asked about, resolved ("user:X" / "anon:X")
  std::vector<Event> events;
};

// A write key or an admin token.
struct ApiKeyInfo {
  std::string token;
  std::string kind;  // "write" | "admin"
  std::string name;  // what the operator called it
  TimeMs created_at = 0;
  bool revoked = false;
};

// One rejected input item kept in the dead-letter store; the rejection's texts are valid UTF-8
// (refused bytes shown as U+FFFD).
struct DeadLetterInfo {
  uint64_t id = 0;
  std::string source;  // "http:batch", "import:<file>", ...
  TimeMs at = 0;       // when it was rejected
  Rejection rejection;
};

// The first dead letters (by id) and how many are stored.
struct DeadLetterList {
  std::vector<DeadLetterInfo> dead_letters;
  uint64_t total = 0;
};

}  // namespace signpost
