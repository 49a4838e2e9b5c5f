// Typed queries and reports of the funnel insights: why people convert at a step (step drivers).
// Field meanings and the statistics are in src/experiments/README.md ("Step drivers") and
// src/analytics/README.md ("Step drivers"); the JSON is written by src/wire (wire/insights.h).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "signpost/ids.h"
#include "signpost/queries.h"
#include "signpost/reports.h"

namespace signpost {

// What is associated with converting from required step `step` to the next required step (or, with
// `to_goal`, to the funnel's last required step), among the people who reached `step`.
struct StepDriversQuery {
  FunnelQuery funnel;  // the funnel and its population (segment, date range, overrides)
  int step = 0;        // 1-based, a required step before the last required one
  bool to_goal = false;
  // Candidates besides every event name (always) and received messages (Message Delivered by
  // journey/step, always): event properties ("properties.plan", "context.campaign.source": each
  // value per event name), person traits ("traits.plan": the value as of the step-k event) and
  // segments (membership at the report's time). Default none.
  std::vector<std::string> properties;
  std::vector<std::string> traits;
  std::vector<SegmentId> segments;
  // A candidate is tested only when at least `min_count` people of the population have it and at
  // least `min_count` do not. Default 30.
  uint64_t min_count = 30;
  // Values kept per (event, property) and per trait: the most frequent ones. Default 20.
  int max_values = 20;
  // The false-discovery rate of the Benjamini-Hochberg procedure over the tested candidates.
  // Default 0.05 (the intervals are 95% whatever it is).
  double fdr = 0.05;
  int top = 50;  // rows returned (the ranking's head); default 50
};

// One candidate's two-by-two table and statistics.
struct StepDriver {
  std::string kind;   // "event" | "property" | "trait" | "segment" | "message"
  std::string event;  // event name (event, property); journey/step (message)
  std::string path;   // property or trait path; empty otherwise
  std::string value;  // property or trait value as text; the segment's name
  uint64_t converted_with = 0, dropped_with = 0;        // people who have it
  uint64_t converted_without = 0, dropped_without = 0;  // people who do not
  double rate_with = 0, rate_without = 0;               // conversion rates
  double difference = 0;                                // rate_with - rate_without
  RateInterval difference_interval;                     // Newcombe, 95%
  double odds_ratio = 0;                                // (cw·dwo)/(dw·cwo), Haldane when a 0
  RateInterval odds_ratio_interval;                     // Woolf (log), 95%
  double p_value = 1;                                   // Fisher exact, two-sided
  double q_value = 1;                                   // Benjamini-Hochberg adjusted
  bool significant = false;                             // q_value <= fdr
};

struct StepDriversReport {
  FunnelId funnel;  // empty for an ad-hoc funnel
  int64_t version = 0;
  int step = 0;  // 1-based
  std::string step_name;
  int target_step = 0;  // the step converting means reaching (1-based)
  std::string target_name;
  std::string population;  // in words: who the table counts
  bool segment = false;    // the population is restricted to a segment
  uint64_t reached = 0;    // people who reached `step`
  uint64_t converted = 0;  // of them, reached the target step
  double rate = 0;
  uint64_t min_count = 0;
  double fdr = 0.05;
  uint64_t candidates = 0;  // seen in the population
  uint64_t tested = 0;      // passed the minimum-count rule
  uint64_t significant = 0;
  uint64_t values_dropped = 0;      // property/trait values beyond max_values, not candidates
  std::vector<StepDriver> drivers;  // significant first, then by q value, then |log OR|
};

// Which steps most predict reaching the funnel's goal (its last required step), the steps taken as
// milestones in any order (src/analytics/README.md, "Step importance"): for everyone and for each
// segment asked for.
struct StepImportanceQuery {
  FunnelQuery funnel;
  std::vector<SegmentId> segments;  // a group each, besides everyone; default none
  double l2 = 1.0;                  // the logistic regression's L2 penalty (>= 0)
};

struct StepImportanceRow {
  int step = 0;  // 1-based
  std::string name;
  bool optional = false;
  uint64_t with = 0, with_goal = 0;        // people who did the milestone, and reached the goal
  uint64_t without = 0, without_goal = 0;  // people who did not
  double rate_with = 0, rate_without = 0, difference = 0;
  RateInterval difference_interval;  // Newcombe, 95%
  double coefficient = 0;            // the model's log-odds for the milestone
  double odds_ratio = 1;             // exp(coefficient)
};

struct StepImportanceGroup {
  std::string segment;  // "" for everyone
  uint64_t entered = 0, reached_goal = 0;
  double goal_rate = 0;
  std::vector<StepImportanceRow> steps;  // by coefficient, largest first
  double intercept = 0;
  bool converged = false;
  uint64_t train_people = 0, test_people = 0;       // the held-out fifth: a hash of the profile id
  double accuracy = 0, baseline = 0, log_loss = 0;  // on the held-out people
};

struct StepImportanceReport {
  FunnelId funnel;
  int64_t version = 0;
  int goal_step = 0;  // 1-based
  std::string goal_name;
  double l2 = 1.0;
  std::vector<StepImportanceGroup> groups;  // everyone first, then the segments in query order
};

}  // namespace signpost

namespace signpost {

// ---- next best action (src/engine/next_best_action_service.h states the population rules)

// The journeys and messages that measured the highest holdout lift on converting from required
// step `step` to the next required step, for the people who were at that step when they entered.
struct NextBestActionQuery {
  FunnelId funnel;
  int step = 0;          // 1-based, a required step before the last required one
  std::string segment;   // one of the funnel's next_best_action segments; "" = every table
  bool refresh = false;  // recompute now instead of reading the cached snapshot
};

// One journey (kind "journey", action = the journey id) or one message step of it (kind
// "message", action = "<journey>/<step>") and its treated and held-out counts.
struct NextBestActionRow {
  std::string kind;
  std::string action;
  std::string journey, step;  // step empty for a journey row
  uint64_t treated = 0, treated_converted = 0;
  uint64_t holdout = 0, holdout_converted = 0;
  RateLift lift;          // treated over holdout: the difference with its Newcombe interval
  bool tested = false;    // both groups have at least min_count people
  bool positive = false;  // tested and the interval's lower bound is above 0
};

// The ranking of one population: everyone at the step, or the members of one segment.
struct NextBestActionTable {
  std::string segment;   // "" for everyone
  uint64_t at_step = 0;  // people the table counts (entered a journey while at the step)
  std::vector<NextBestActionRow> rows;  // positive first, then tested, by lift, then action
  std::string recommended;              // the action of the first positive row; "" none
  std::string evidence;                 // "lift" when one is recommended, else "none"
};

struct NextBestActionReport {
  FunnelId funnel;
  int64_t version = 0;
  int step = 0;  // 1-based
  std::string step_name;
  int target_step = 0;
  std::string target_name;
  std::string population;  // in words
  TimeMs as_of = 0;        // the snapshot's time (its events up to then)
  uint64_t min_count = 0;
  double level = 0.95;
  std::vector<NextBestActionTable> tables;  // everyone first, then the funnel's segments
};

// One person's next best action in a funnel as of a time.
struct ProfileNextBestAction {
  FunnelId funnel;
  std::string profile;
  TimeMs at = 0;
  int last_step = 0;        // the last required step completed (0 none)
  bool stuck = false;       // at a step with a next required step (a table exists for it)
  std::string segment;      // the first of the funnel's segments the person is in; "" everyone
  std::string recommended;  // "" when not stuck or no evidence
  std::string evidence;     // "lift" | "none"
  std::optional<NextBestActionRow> row;  // the recommended row
  TimeMs as_of = 0;                      // the snapshot's time
};

}  // namespace signpost
