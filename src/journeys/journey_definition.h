// Journey definitions: the parsed, validated form of a `kind: journey` document (YAML or JSON).
// The format is documented in src/journeys/README.md. A definition is checked completely before it
// is stored: every reference (step, template, channel, segment) resolves, the step graph has no
// cycle without a wait, every duration and time parses.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/condition.h"
#include "rules/event_matcher.h"
#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/status.h"

namespace signpost::journeys {

enum class ReentryPolicy { kOnce, kAlways, kAfter };

struct Entry {
  // A trigger event...
  std::optional<rules::EventMatcher> trigger;
  // ...or a segment: its members when the journey starts, and with `join_later` those who join.
  SegmentId segment;
  bool join_later = false;
  // ...or a step of a funnel (goal-step.md: "trigger automations based on step status"): the
  // profile enters when it completes step `step` of `funnel` (on: reached), or when it is still at
  // that step `after` later (on: stalled).
  struct FunnelStep {
    FunnelId funnel;
    int step = 0;  // 1-based
    bool stalled = false;
    DurationMs after = 0;  // stalled: how long at the step
  };
  std::optional<FunnelStep> funnel_step;
  ReentryPolicy reentry = ReentryPolicy::kOnce;
  DurationMs reentry_after = 0;  // kAfter
};

// A correlation of a wait-for-event: the awaited event's property must equal a value rendered
// from the entry event when the wait starts ("{{entry.properties.cart_id}}").
struct Correlation {
  rules::PropertyPath path;
  std::string value_template;
};

// Conditions of a branch arm; all given ones must hold.
struct BranchCondition {
  std::vector<rules::Condition> traits;     // on traits as of now (paths traits.x)
  std::vector<SegmentId> in_segments;       // member of each
  std::vector<SegmentId> not_in_segments;   // member of none
  std::optional<bool> opened_last_message;  // the last message of this entry was opened
  std::optional<bool> clicked_last_message;
  // "did <event> since entering this journey"
  std::optional<rules::EventMatcher> did_event;
  // The last completed step (1-based; 0 none) of a funnel, compared with `funnel_step`.
  FunnelId funnel;
  std::optional<rules::Condition> funnel_step;  // path unused; value compared as a number
  // `next_best_action: { funnel: F, is: <journey or journey/step> }`: the profile's recommended
  // action in F (as of the decision) is that one; `{ funnel: F, evidence: none | lift }`: it has
  // no recommendation (not stuck, or not enough evidence) / has one.
  FunnelId nba_funnel;
  std::string nba_is;                    // "" when `evidence:` is given
  std::optional<bool> nba_has_evidence;  // evidence: lift (true) / none (false)
};

struct BranchArm {
  BranchCondition when;
  int next = -1;  // step index; -1 = the end of the journey
  std::string label;
};

struct SplitVariant {
  std::string id;
  double weight = 0;  // percent
  int next = -1;
};

enum class StepKind { kMessage, kWait, kBranch, kSplit, kUpdate, kExit };
enum class WaitKind { kFor, kUntil, kEvent };

struct Step {
  std::string id;
  StepKind kind = StepKind::kExit;
  int line = 0;   // 1-based line of the step in the definition
  int next = -1;  // the step after this one; -1 = the end (the profile completes the journey)

  // message
  std::string channel, template_id, subject;
  // `channel: auto` (channel == kAutoChannel): the candidates, each (channel, template) in the
  // order written; the default channel (one of them: the control's channel and the fallback); the
  // segments the choice is learnt apart in (the first listed one the profile is in; else the whole
  // audience). template_id is empty for an auto step.
  std::vector<std::pair<std::string, std::string>> auto_templates;
  std::string default_channel;
  std::vector<SegmentId> optimize_by_segment;

  // wait
  WaitKind wait = WaitKind::kFor;
  DurationMs wait_for = 0;             // kFor
  TimeMs wait_until = 0;               // kUntil
  rules::EventMatcher await;           // kEvent: the event awaited...
  std::vector<Correlation> correlate;  // ...matching the entry on these keys
  DurationMs timeout = 0;              // kEvent: 0 = wait forever
  int on_event = -1;                   // kEvent: where an arrival goes (-2 = exit)
  int on_timeout = -1;                 // kEvent: where a timeout goes (-2 = exit)

  // branch
  std::vector<BranchArm> arms;
  int otherwise = -1;

  // split
  std::vector<SplitVariant> variants;
  std::string split_metric = "goal";  // goal | opens | clicks
  std::optional<TimeMs> split_end;    // `end:` (or `ends_at:`): the test ends then without a winner

  // update
  nlohmann::json set_traits = nlohmann::json::object();
};

// The `channel:` of a message step that lets signpost choose the channel per profile.
inline constexpr std::string_view kAutoChannel = "auto";

// Step indexes with a special meaning in `next`, `on_event`, `on_timeout`.
constexpr int kEnd = -1;      // the profile completes the journey
constexpr int kExitNow = -2;  // the profile leaves through an end: it completed the journey

struct QuietHours {
  int start_minute = 0;  // minutes after local midnight, inclusive
  int end_minute = 0;    // exclusive; end < start spans midnight ("21:00-08:00")
  bool enabled = false;
};

struct JourneyDefinition {
  JourneyId id;
  std::string name;
  std::string note;
  Entry entry;
  std::optional<TimeMs> start, end;
  std::vector<SegmentId> exclude;   // segments whose members never enter
  std::vector<SegmentId> suppress;  // segments whose members exit at once
  DurationMs listening_window = 3 * kDayMs;
  QuietHours quiet_hours;
  std::string timezone = "UTC";  // used when the profile has no `timezone` trait
  double holdout_percent = 0;
  bool frequency_capped = true;  // subject to the global frequency cap
  // privacy: tracking-consent categories a person needs (`consent: marketing`), lower case; a
  // person without one is not entered, and exits with reason `consent` on withdrawing it inside.
  std::vector<std::string> consent;
  std::vector<Step> steps;
  // The goal block as written (JSON), parsed by src/goals; null when the journey has none.
  nlohmann::json goal;
};

// What validation needs to know about the rest of the world. Each returns an error message ("" when
// the reference is fine).
struct References {
  std::function<std::string(std::string_view segment)> segment;
  // The channel of template `id` through `channel_out`; a message when the template is unknown.
  std::function<std::string(std::string_view template_id, std::string* channel_out)>
      template_channel;
  std::function<std::string(std::string_view channel)> channel;
  std::function<std::string(std::string_view funnel)> funnel;
  // Validates the goal block; a message naming the field when it is wrong.
  std::function<std::string(const nlohmann::json& goal)> goal;
};

// Parses and validates a journey from YAML or JSON text. kInvalidArgument whose message names the
// field (`steps[2].wait.timeout`), the line, and the fix. `refs` members may be empty (not
// checked). Pure apart from `refs`: thread-safe when they are.
Result<JourneyDefinition> ParseJourneyDefinition(std::string_view text, const References& refs);

// "once" | "always" | "after 7d" | {after: 7d}: the entry's re-entry text.
std::string ReentryText(const Entry& e);

}  // namespace signpost::journeys
