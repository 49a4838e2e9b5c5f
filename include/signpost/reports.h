// Typed reports the Engine returns: the funnel report, a funnel's people, the last completed step
// of a profile, people saved as a segment, a journey's goal report and goal people, the journeys
// (list, one journey's step analytics, a change of state, a replay) and the outbox. src/wire
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
#include <string_view>
#include <vector>

#include "signpost/clock.h"
#include "signpost/definition_kind.h"
#include "signpost/event.h"
#include "signpost/ids.h"
#include "signpost/queries.h"
#include "signpost/rejection.h"

namespace signpost {

// ---- privacy: retention -------------------------------------------------------------------------

// Carried by a funnel or goal report whose window starts before the retention horizon: events
// with a timestamp before `events_before` may have been removed by `settings.retention`, so the
// counts of that part of the window are incomplete.
struct RetentionNote {
  TimeMs events_before = 0;  // now minus the shortest retention period in force
  std::string note;
};

// What a retention sweep did (Engine::EnforceRetention).
struct RetentionReport {
  TimeMs at = 0;                               // the clock when it ran
  DurationMs events = 0;                       // the global period in force (0 = forever)
  std::map<std::string, DurationMs> by_event;  // the per-name periods in force
  uint64_t events_removed = 0;                 // by this sweep
  std::optional<TimeMs> oldest_kept;           // timestamp of the oldest event left; none when none
  bool purged = false;                         // the store was purged (the bytes left the folder)
};

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
  FunnelId definition_id;  // empty for an ad-hoc funnel without an id
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
  std::optional<RetentionNote> retention;  // privacy: retention; none when the window is covered

  // ---- privacy: tracking consent (the funnel's `consent`: categories a person needs)
  std::vector<std::string> consent;
  uint64_t without_consent = 0;  // profiles with events left out for lack of it
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
  FunnelId funnel;  // the definition id, empty for an ad-hoc funnel without one
  int64_t version = 0;
  int completed = 0, dropped_at = 0;  // as asked
  std::vector<FunnelPerson> people;
};

// The last completed step of one profile in a stored funnel.
struct FunnelLastStep {
  FunnelId funnel;
  int64_t version = 0;
  std::string identity;  // the identity asked about, resolved ("user:X" / "anon:X")
  FunnelPerson person;   // last_step 0 when the profile never entered
};

// People of a funnel saved as a static segment.
struct SavedFunnelPeople {
  SegmentId segment;
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
    SegmentId segment;
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
  std::optional<RetentionNote> retention;  // privacy: retention; none when the window is covered
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

// ---- experiments, lift, money -------------------------------------------------------------------
// Engine::Experiments, Experiment, ChannelReport, HoldoutLift and JourneyMoney. The statistics of
// src/experiments return these same types (it names them with aliases: stats::Interval, Lift,
// VariantReport, ArmCounts, CostReport, GroupRevenue).

// The lift of a treated rate over a holdout (or control) rate.
struct RateLift {
  double treated_rate = 0, holdout_rate = 0;  // converted / profiles, 0 for an empty group
  double absolute = 0;                        // treated_rate - holdout_rate
  RateInterval absolute_interval;             // Newcombe
  std::optional<double> relative;             // treated_rate / holdout_rate - 1; none when the
                                              // holdout rate is 0 (no finite ratio)
  RateInterval relative_interval;             // Katz
};

// Where a split test stands (src/base/report_names.h names them).
enum class ExperimentDecision {
  kRunning,   // keep splitting
  kWinner,    // `winner` is significantly better than the rest it was compared with
  kNoWinner,  // no_winner_after passed without a winner: the default variant takes everyone
  kEnded,     // ends_at passed without a winner: the default variant takes everyone
};

// One variant's statistics on the split's metric.
struct SplitVariantReport {
  std::string id;
  uint64_t entered = 0, converted = 0;
  double rate = 0;              // converted / entered (0 when entered == 0)
  RateInterval interval;        // Wilson, at 1 - alpha
  double probability_best = 0;  // P(this variant's true rate is the highest)
  // Against the default variant (zero-width {0, 0} and p_value 1 for the default itself):
  RateInterval difference;     // rate - default rate, Newcombe, at 1 - alpha
  RateInterval relative_lift;  // rate / default rate - 1, Katz, at 1 - alpha
  double p_value = 1;          // always-valid mSPRT p-value of the comparison
  bool significant = false;    // p_value <= alpha / comparisons, minimum sample met
};

// One split step's report (Engine::Experiment).
struct SplitReport {
  struct Variant {
    SplitVariantReport result;
    double weight = 0;  // percent, as defined
    double lift = 0;    // rate - the default variant's rate
  };
  JourneyId journey;
  std::string step;
  std::string metric;  // "goal" | "opens" | "clicks"
  ExperimentDecision state = ExperimentDecision::kRunning;
  std::optional<std::string> winner, assign_to;  // variant ids
  std::string default_variant;                   // the first variant
  std::optional<TimeMs> started_at, decided_at, ends_at;
  bool minimum_sample_met = false;
  double alpha_per_comparison = 0;
  std::vector<Variant> variants;  // as defined
  std::vector<std::string> warnings;
};

// Sends of a channel (or a group of sends) and how many of them converted.
struct ArmCounts {
  uint64_t sent = 0;
  uint64_t converted = 0;
};

// Sends, conversions, their rate (0 when nothing was sent) and its Wilson interval.
struct ArmRate {
  ArmCounts counts;
  double rate = 0;
  RateInterval interval;
};

// The rates of one `channel: auto` step over a set of sends.
struct ChannelBreakdown {
  struct Channel {
    std::string channel;
    ArmRate rate;
    // A candidate of the step: its template, and whether it is the default. None for a channel
    // only an older version sent on.
    std::optional<std::string> template_id;
    bool is_default = false;
  };
  std::vector<Channel> channels;  // the candidates as written, then any other channel sent on
  ArmRate control, optimized;
  RateLift lift;  // optimized (treated) over control (holdout)
};

// The channel report of a `channel: auto` step (Engine::ChannelReport).
struct ChannelStepReport {
  JourneyId journey;
  std::string step;
  std::string default_channel;
  double control_share = 0;
  std::vector<SegmentId> optimize_by_segment;
  ChannelBreakdown all;
  struct Segment {
    SegmentId segment;
    ChannelBreakdown breakdown;
  };
  std::vector<Segment> segments;  // the segments sends were learnt in, sorted
  std::vector<std::string> warnings;
};

// Every split step and every `channel: auto` step of every journey (Engine::Experiments).
struct ExperimentList {
  std::vector<SplitReport> experiments;
  std::vector<ChannelStepReport> channels;
};

// Treated against holdout on a journey's goal and funnel steps (Engine::HoldoutLift).
struct HoldoutLiftReport {
  struct Step {
    int step = 0;  // 1-based
    std::string name;
    uint64_t treated_reached = 0, holdout_reached = 0;
    RateLift lift;
  };
  JourneyId journey;
  std::optional<FunnelId> funnel;
  double level = 0.95;
  GoalCounts treated, holdout;
  RateLift goal;
  std::vector<Step> steps;
  std::vector<std::string> warnings;
};

// What messages cost per profile that progressed.
struct MoneyCost {
  double total_cost = 0;                      // Σ messages × cost per message of the channel
  uint64_t progressed = 0;                    // the profiles that progressed
  std::optional<double> cost_per_progressed;  // total_cost / progressed; none when progressed == 0
};

// Revenue of one group of profiles.
struct RevenueGroup {
  std::string group;
  uint64_t profiles = 0;
  double revenue = 0;      // compensated sum of the credited revenue over the group
  double per_profile = 0;  // revenue / profiles
  double lifetime = 0;     // compensated sum of the lifetime revenue over the group
  double ltv = 0;          // lifetime / profiles
};

// Costs and revenue of a journey's treated profiles (Engine::JourneyMoney).
struct MoneyReport {
  enum class CostSource { kQuery, kChannel };  // a `cost.<channel>` field, or the channel's own
  struct Messages {
    std::string channel;
    uint64_t messages = 0;
    double cost_per_message = 0;
    CostSource cost_source = CostSource::kQuery;
    double cost = 0;  // messages × cost_per_message
  };
  struct Step {
    int step = 0;  // 1-based
    std::string name;
    MoneyCost cost;
  };
  JourneyId journey;
  std::optional<FunnelId> funnel;
  std::map<std::string, double> costs;  // per message, by channel
  std::map<std::string, CostSource> cost_sources;
  std::vector<Messages> messages;  // by channel
  double total_cost = 0;
  uint64_t treated = 0;
  MoneyCost goal;
  std::vector<Step> steps;
  struct Revenue {
    std::string property;  // the property path read, e.g. "properties.revenue"
    double total = 0;
    uint64_t profiles = 0;
    double revenue_per_profile = 0;
    double lifetime_total = 0;
    double ltv = 0;
    std::vector<RevenueGroup> by_group;  // by group name
  } revenue;
  std::vector<std::string> warnings;
};

// ---- journeys -----------------------------------------------------------------------------------

// A journey's lifecycle (draft -> live -> stopped | completed); src/journeys compares it as
// journeys::Lifecycle.
enum class JourneyLifecycle {
  kDraft,      // applied, never live: nobody enters
  kLive,       // profiles enter and move
  kStopped,    // stopped by hand: everyone inside exited
  kCompleted,  // its `end` time passed: everyone inside exited
};

// "draft", "live", "stopped" or "completed": the text of JSON replies and of the stored status.
constexpr std::string_view JourneyLifecycleName(JourneyLifecycle state) {
  switch (state) {
    case JourneyLifecycle::kDraft:
      return "draft";
    case JourneyLifecycle::kLive:
      return "live";
    case JourneyLifecycle::kStopped:
      return "stopped";
    case JourneyLifecycle::kCompleted:
      return "completed";
  }
  return "?";
}

// A state in JSON is its name (nlohmann::json finds this through ADL; the template keeps this
// header free of the JSON library).
template <class BasicJson>
void to_json(BasicJson& j, JourneyLifecycle state) {
  j = std::string(JourneyLifecycleName(state));
}

// An edge of a journey's step graph: to a step id, "end" or "exit", with its label ("" for the
// plain next step, the event or "timeout" of a wait, an arm's label or "else", "A (50%)").
struct JourneyEdge {
  std::string to;
  std::string label;
};

// One node of a journey's step graph with its counters (over every version): the entry node
// first, then each step of the definition.
struct JourneyStepView {
  std::string id;           // "entry" for the entry node
  std::string type;         // "entry" | "message" | "wait" | "branch" | "split" | "update" | "exit"
  std::optional<int> line;  // 1-based line of the step in the definition; none for the entry
  uint64_t inflow = 0;
  uint64_t in_progress = 0;  // inflow - passed_on - exits (0 for the entry)
  uint64_t passed_on = 0;
  std::map<std::string, uint64_t> exits;  // by reason
  std::vector<JourneyEdge> next;
  // A message step (`channel` is set): its channel and template; with `channel: auto`, the
  // template of each channel and the default channel too.
  std::optional<std::string> channel;
  std::string template_id;
  std::optional<std::map<std::string, std::string>> templates;  // auto only
  std::string default_channel;                                  // auto only
};

// A journey's totals: unique profiles entered (holdout apart), every entry, inside now,
// completed, exited from a step (the entry node's exits are not counted).
struct JourneyTotals {
  uint64_t entered = 0, entered_holdout = 0, entries = 0, in_progress = 0, completed = 0,
           exited = 0;
  // People who had entered and were erased since (a privacy request): still counted in entered
  // and entries (counts without the person), their exits from inside under reason `erased`, and
  // left out of the goal, experiment and channel reports (which read the people entered now).
  uint64_t erased = 0;
};

// A row of the journeys list.
struct JourneyRow {
  JourneyId id;
  uint64_t version = 0;  // the latest applied
  std::string name;      // the definition's name (the id when it has none or does not parse)
  JourneyLifecycle state = JourneyLifecycle::kDraft;
  uint64_t entered = 0, in_progress = 0;
  // From the runtime's status, when it has one (every journey whose definition parses).
  std::optional<uint64_t> live_version, completed;
  // The goal report of all time, whose headline (type, entered, attained, rate, target,
  // target_progress, lift) the list shows; none without a goal.
  std::optional<GoalReport> goal;
};

struct JourneyList {
  std::vector<JourneyRow> journeys;  // by id
};

// One journey: its latest definition, lifecycle, versions and step analytics.
struct JourneyView {
  JourneyId id;
  std::string name;
  JourneyLifecycle state = JourneyLifecycle::kDraft;
  uint64_t version = 0;       // the latest applied
  uint64_t live_version = 0;  // the version new entries get (0 never live)
  struct Version {
    uint64_t version = 0;
    std::string note;
    TimeMs at = 0;
  };
  std::vector<Version> versions;  // oldest first
  struct Entry {
    std::string reentry;               // "once" | "always" | "after <duration>"
    std::optional<std::string> event;  // an event entry: the trigger
    SegmentId segment;                 // else a segment entry
    bool join_later = false;
    // else a funnel step entry: when a person reaches step `step` of `funnel` (stalled: is still
    // at it `after` later)
    struct FunnelStep {
      FunnelId funnel;
      int step = 0;
      bool stalled = false;
      DurationMs after = 0;
    };
    std::optional<FunnelStep> funnel_step;
  } entry;
  std::vector<SegmentId> exclude, suppress;
  DurationMs listening_window = 0;
  double holdout_percent = 0;
  std::vector<JourneyStepView> steps;
  JourneyTotals totals;
  std::optional<GoalView> goal;  // as parsed; none without one
  std::optional<TimeMs> start, end;
  std::optional<TimeMs> live_since;  // none when never live
};

// A journey's lifecycle after a change (Engine::SetJourneyState).
struct JourneyStateChange {
  JourneyId id;
  JourneyLifecycle state = JourneyLifecycle::kDraft;
  uint64_t version = 0;  // the live version
  TimeMs since = 0;      // went live (live), else ended
};

// A message a replay would have sent.
struct ReplayMessage {
  std::string key, to, channel, step, template_id;
  TimeMs at = 0;
};

// A journey back-tested on stored events (Engine::Replay).
struct ReplayReport {
  JourneyId journey;
  uint64_t version = 0;
  TimeMs from = 0, to = 0;
  uint64_t events_read = 0;  // stored events in the window
  uint64_t events_used = 0;  // those the journey reacts to
  std::vector<JourneyStepView> steps;
  JourneyTotals totals;
  uint64_t would_send = 0;
  std::map<std::string, uint64_t> by_channel, by_step;
  std::vector<ReplayMessage> sample;  // the first 20
  std::optional<GoalReport> goal;     // none without a goal
};

// Journeys back-tested together (Engine::ReplayProgramme): one report per journey, each as
// Engine::Replay's, the goals attributed with the same-goal rule between them.
struct ProgrammeReplayReport {
  TimeMs from = 0, to = 0;
  uint64_t events_read = 0;  // stored events in the window
  uint64_t events_used = 0;  // those some journey of the programme reacts to
  uint64_t would_send = 0;   // messages of every journey
  std::vector<ReplayReport> journeys;
};

// Two versions of one journey replayed over the same history (Engine::CompareReplays).
struct ReplayComparison {
  JourneyId journey;
  TimeMs from = 0, to = 0;
  ReplayReport a, b;  // version_a's replay, version_b's
  // b's goal rate minus a's (attained / entered, holdout excluded), with its 95% interval
  // (Newcombe's hybrid score method for two independent proportions); none when the journey has
  // no goal.
  std::optional<double> rate_difference;
  std::optional<RateInterval> difference_interval;
};

// ---- outbox ------------------------------------------------------------------------------------

enum class OutboxState { kPending, kSent, kFailed };

// "pending" | "sent" | "failed".
constexpr std::string_view OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kFailed:
      return "failed";
  }
  return "?";
}

// A message of the outbox: what identifies it, its state, attempts and times.
struct OutboxMessageView {
  std::string key;  // the idempotency key
  JourneyId journey;
  uint64_t version = 0;
  uint32_t entry = 0;
  std::string step, channel, template_id, identity, to;
  OutboxState state = OutboxState::kPending;
  uint32_t attempts = 0;
  TimeMs enqueued_at = 0;
  TimeMs next_attempt_at = 0;  // pending: when the next attempt is due
  TimeMs updated_at = 0;
  std::string last_error;  // "" when the last attempt succeeded or none was made
  bool permanent = false;  // failed: true
};

// The outbox, most recently updated first (Engine::Outbox).
struct OutboxView {
  std::vector<OutboxMessageView> messages;
};

// ---- segments -----------------------------------------------------------------------------------
// The segment views: the list, one segment with its members now, a profile's segments, an import.

// A static list (saved funnel people, imported ids) or a rule segment (`kind: segment`).
enum class SegmentType { kStatic, kRule };

// A rule segment's rule as written (src/segments/README.md), conditions and counts as text.
struct SegmentRuleView {
  enum class Kind { kEvent, kTrait, kSegment, kAll, kAny, kNot, kFunnel };
  Kind kind = Kind::kEvent;
  std::string event;                      // kEvent: the event name
  std::vector<std::string> where;         // kEvent: "properties.total > 0", ...
  std::vector<std::string> count;         // kEvent: ">= 1", ...
  std::optional<DurationMs> within;       // kEvent: the window; unset = ever
  std::vector<std::string> traits;        // kTrait: "traits.plan = pro", ...
  SegmentId segment;                      // kSegment: the segment referred to
  FunnelId funnel;                        // kFunnel: the funnel
  std::vector<std::string> funnel_tests;  // kFunnel: "reached 2", "stuck_for > 2d", ...
  std::vector<SegmentRuleView> children;  // kAll, kAny; kNot: one
};

// What can change a rule segment's membership.
struct SegmentTriggers {
  std::vector<std::string> events;  // event names (sorted, unique)
  bool traits = false;              // an identify
  bool time = false;                // time passing (a `within` window)
  bool is_static = false;           // a static list it refers to
};

// One segment of the list. Static lists: version, members, note, at. Rule segments: title,
// version, rule, triggers, note, at (of the stored definition version).
struct SegmentSummary {
  SegmentId name;
  SegmentType type = SegmentType::kStatic;
  uint64_t version = 0;
  std::string note;
  TimeMs at = 0;         // when this version was stored
  uint64_t members = 0;  // static: identities in the list
  std::string title;     // rule: the display name
  SegmentRuleView rule;
  SegmentTriggers triggers;
};

// Every segment, static and rule, by name.
struct SegmentList {
  std::vector<SegmentSummary> segments;
};

// A member of a rule segment with every identity of its profile.
struct SegmentMember {
  ProfileId profile;
  std::vector<std::string> identities;
};

// One segment now. Static: its identities as stored, `at` of the version. Rule: evaluated at
// `evaluated_at`, its members and their identities in member order.
struct SegmentView {
  SegmentId name;
  SegmentType type = SegmentType::kStatic;
  uint64_t version = 0;
  std::string note;
  std::vector<std::string> identities;
  TimeMs at = 0;                       // static
  std::string title;                   // rule
  SegmentRuleView rule;                // rule
  TimeMs evaluated_at = 0;             // rule
  std::vector<SegmentMember> members;  // rule
};

// The segments one profile is in now, by name.
struct ProfileSegments {
  ProfileId profile;
  std::string identity;  // the identity asked about, resolved ("user:X" / "anon:X")
  TimeMs evaluated_at = 0;
  std::vector<SegmentId> segments;
};

// A static list stored from ids (Engine::ImportSegment).
struct SegmentImport {
  SegmentId segment;
  uint64_t version = 0;
  bool add = false;       // added to the current list, else replaced it
  uint64_t imported = 0;  // distinct identities given
  uint64_t members = 0;   // identities in the new version
  uint64_t known = 0;     // of the imported, those a profile has
  uint64_t unknown_count = 0;
  std::vector<std::string> unknown;  // the first 100 of those no profile has yet
  std::string note;
};

// ---- definitions, profiles, keys, dead letters -------------------------------------------------

// What an apply did, or in a dry run would do, with one document: a new id (created), a new
// version of a stored one (configured), or nothing, because the document is the same definition
// as the latest version (unchanged: no new version is stored).
enum class ApplyAction { kCreated, kConfigured, kUnchanged };

// One definition stored as a new version by an apply (or, unchanged, the latest version).
struct AppliedDefinition {
  DefinitionKind kind = DefinitionKind::kFunnel;
  std::string id;
  uint64_t version = 0;  // the version stored (dry run: the one it would be)
  ApplyAction action = ApplyAction::kCreated;
  std::string note;                  // the apply's note, else the definition's `note`
  std::optional<std::string> name;   // segments: the segment's name
  std::optional<std::string> state;  // journeys: the lifecycle state (draft | live | ...)
};

// The definitions one apply stored, one per document, in order.
struct AppliedDefinitions {
  std::vector<AppliedDefinition> applied;
  bool dry_run = false;  // nothing was stored: what an apply would do
};

// One stored version of a definition with its text (what `signpost diff` compares with).
struct DefinitionText {
  DefinitionKind kind = DefinitionKind::kFunnel;
  std::string id;
  uint64_t version = 0;
  std::string note;
  TimeMs at = 0;
  std::string body;  // the text as applied (settings: their normalized JSON)
};

// A definition deleted (every version), or in a dry run one that could be.
struct DeletedDefinition {
  DefinitionKind kind = DefinitionKind::kFunnel;
  std::string id;
  uint64_t versions = 0;  // how many versions were (would be) removed
  bool dry_run = false;
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

// ---- audit log ---------------------------------------------------------------------------------
// One admin action: who (the token's name and prefix, "cli:<user>", or "engine"), when, what, on
// what, and its outcome. Never personal data: a person is named by a keyed hash.
struct AuditEntry {
  uint64_t seq = 0;
  TimeMs at = 0;
  std::string actor;
  std::string action;   // "apply", "journey.state", "keys.create", "keys.revoke", "import", ...
  std::string target;   // "journey/welcome@3", "admin key ops", ...
  std::string detail;   // a JSON object with what the action reported, or ""
  std::string outcome;  // "ok", or "<code>: <message>"
};

// Entries oldest first; `last_seq` is the newest entry's seq in the log (for paging with `after`).
struct AuditTrail {
  std::vector<AuditEntry> entries;
  uint64_t last_seq = 0;
};

// ---- privacy: what the services forgot ---------------------------------------------------------

// What the services removed of one person for an erasure: each service's ForgetPerson fills its
// own fields (src/engine/person_data.cc), the erasure adds them up (operator+=). Counts only,
// never the person's data.
struct PersonForgotten {
  uint64_t journey_exits = 0;     // journeys the person was inside, exited with reason `erased`
  uint64_t journey_states = 0;    // per-profile journey state records deleted
  uint64_t queued_inputs = 0;     // their events the journeys had not handled yet, dropped
  uint64_t outbox_cancelled = 0;  // pending messages cancelled (never sent)
  uint64_t outbox_deleted = 0;    // outbox items deleted (pending, sent or failed)
  uint64_t static_lists = 0;      // static lists that held them
  uint64_t static_versions = 0;   // versions of those lists rewritten without them
  uint64_t dead_letters = 0;      // dead letters carrying their ids, deleted
  bool bandits_reloaded = false;  // the live channel bandits dropped, rebuilt from stored events
  PersonForgotten& operator+=(const PersonForgotten& o) {
    journey_exits += o.journey_exits;
    journey_states += o.journey_states;
    queued_inputs += o.queued_inputs;
    outbox_cancelled += o.outbox_cancelled;
    outbox_deleted += o.outbox_deleted;
    static_lists += o.static_lists;
    static_versions += o.static_versions;
    dead_letters += o.dead_letters;
    bandits_reloaded = bandits_reloaded || o.bandits_reloaded;
    return *this;
  }
};

// ---- privacy ------------------------------------------------------------------------------------

// What one regulation did (RegulationRequest). Counts only: the ids themselves are not kept once
// the work is done (GET /api/regulations/{id} reads this record back).
struct RegulationReport {
  uint64_t id = 0;  // the regulation id
  RegulationType type = RegulationType::kDelete;
  std::string state;  // "running" (resumed at the next open after a crash) | "done"
  TimeMs created_at = 0, finished_at = 0;  // finished_at 0 while running
  uint64_t subjects = 0;                   // ids asked about
  uint64_t found = 0;                      // of them, ids that named a profile
  uint64_t profiles_erased = 0;
  uint64_t identities_erased = 0;  // identities removed (and tombstoned)
  uint64_t events_erased = 0;
  uint64_t identities_suppressed = 0;
  uint64_t identities_unsuppressed = 0;
  // Events refused since this process opened under this suppression (SUPPRESS*).
  uint64_t refused_events = 0;
  // The services told to forget each erased person, in order (journeys, delivery, ...), and what
  // they removed or adjusted, summed over the people.
  std::vector<std::string> services;
  PersonForgotten forgotten;
  // True once the erased bytes left every file of the data folder (Store::Purge ran).
  bool purged = false;
  // The ids of the request that named no profile (in this answer only; never stored).
  std::vector<std::string> not_found;
};

// Progress of a running regulation: ids done of total.
struct RegulationProgress {
  uint64_t done = 0, total = 0;
};

// ---- privacy: export ----------------------------------------------------------------------------
// Everything signpost holds about one person (Engine::ExportPerson: an access or portability
// request), gathered from each service that holds something about them.

// One journey the person entered, as the journey runtime keeps it, with their exits from it (read
// from their `Journey Exited` events).
struct PersonJourney {
  JourneyId journey;
  uint32_t entries = 0;  // times entered
  TimeMs last_entered = 0;
  TimeMs last_exited = 0;  // 0 when never exited
  // The entry in progress, when inside the journey now.
  struct Active {
    uint32_t entry = 0;
    uint64_t version = 0;
    std::string step;  // the step it is at
    TimeMs entered_at = 0, step_since = 0;
    TimeMs due = 0;  // when its timer fires; 0 = none
    bool holdout = false;
    std::string entry_event;              // "" for a segment entry
    std::string entry_properties = "{}";  // JSON text
    std::string variant;                  // the last split variant assigned
    std::string last_message_key;         // "" when none sent yet
    bool last_opened = false, last_clicked = false;
  };
  std::optional<Active> active;
  struct Exit {
    uint32_t entry = 0;
    std::string reason, step;
    TimeMs at = 0;
  };
  std::vector<Exit> exits;
};

// A split variant or holdout the person was assigned (from their `Experiment Assigned` and
// `Journey Entered` events).
struct PersonExperimentArm {
  JourneyId journey;
  uint32_t entry = 0;
  std::string step;     // the split step; "" for a journey holdout
  std::string variant;  // the variant id, or "holdout"
  TimeMs at = 0;
};

// A static list that holds one of the person's identities in some version.
struct PersonStaticList {
  SegmentId name;
  std::vector<uint64_t> versions;       // the versions that hold them, oldest first
  bool latest = false;                  // the latest version holds them (a member now)
  std::vector<std::string> identities;  // which of their identities it holds
};

struct PersonExport {
  std::string requested;  // the id asked about, as given
  TimeMs exported_at = 0;
  // Identities, current traits, trait history (consent changes included), consent, refused
  // links, event count and first/last seen (its last_events left empty: see `events`).
  ProfileReport profile;
  // Their events, every field, by (timestamp, seq): all of them up to `event_limit`, else the
  // latest `event_limit` (events_truncated, with events_note saying how to get more).
  std::vector<Event> events;
  uint64_t event_limit = 0;
  bool events_truncated = false;
  std::string events_note;  // "" when complete
  std::vector<PersonJourney> journeys;
  std::vector<TimeMs> recent_sends;  // message times the frequency cap counts
  std::vector<PersonExperimentArm> experiments;
  std::vector<OutboxMessageView> messages;  // outbox items and their delivery state
  std::vector<PersonStaticList> static_lists;
  std::vector<SegmentId> segments;  // every segment (rule or static) they are in now
  TimeMs segments_evaluated_at = 0;
  std::vector<DeadLetterInfo> dead_letters;  // rejected input that carries their ids
};

}  // namespace signpost
