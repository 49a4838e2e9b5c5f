// ExperimentService: journey experiments inside the engine: the split-step reports (counts per
// variant on the split's metric, evaluated by experiments::Evaluate), holdout lift on the goal and
// goal steps, and money (cost per progressed profile, revenue and LTV by funnel step). Everything
// is computed from each entered profile's stored events (its journey system events and its own
// track events), goal credits through AttributeStored, so the live engine and a replay count by the
// same rules. The facade's experiment methods (include/signpost/engine.h, "experiments") delegate
// here. It reads the store and the profile store, credits goals through the GoalService and reads
// the stored sends of `channel: auto` steps through the ChannelService (its constructor's
// dependencies); the journey service (definitions, entered profiles, goals, live split counts) is
// passed in: this service is opened before it, since the live split counts it keeps read
// SplitEntriesOf from its hooks.
//
// Thread-safety: no state of its own besides references; every method may be called from any
// thread. SplitWinner REQUIRES the journey service's mutex (the runtime's callbacks hold it); the
// reports take it themselves for a snapshot, so their caller must not hold it.
//
// The rules, with the choices made where docs/CONTRACT.md §5 and issue 6 are silent:
// - A split's variants are those of the journey's latest version; an assignment to a variant id
//   no longer defined is not counted. The default (control, fallback) variant is the first.
// - Entered: unique profiles with an `Experiment Assigned` for the step in an entry that is not in
//   the holdout; a profile counts in the variant of its first such assignment (stable anyway).
// - Converted: `goal` — the profile's goal credit (AttributeStored over every journey's goal, as
//   the live credits are computed) is through one of its assigned entries; `opens` — a Message
//   Opened or Clicked (a click implies the open), `clicks` — a Message Clicked, of this journey and
//   an assigned entry, for a message whose Message Sent is at or after that entry's assignment.
// - The decision uses experiments::Evaluate with the default ExperimentPolicy at daily looks
//   (started + k days) on the counts as of each look (assigned and converted by then); the first
//   non-running look is final (`decided_at`); a late event (time-stamped before a look already
//   taken) counts at that look. experiments::SplitTally holds these rules: the reports build one
//   from the stored events, SplitWinner reads the live ones (split_counters.h). The report's
//   counts, rates and probabilities are those of now. A split's `end:` (or `ends_at:`) is the
//   policy's `ends_at`: there is one more look at that time, and without a winner by then the
//   test is `ended` and the default takes everyone.
// - Channel reports (`channel: auto` steps) count the stored `Message Sent` events with auto: true
//   of the step and the `Goal Attained` of the journey at or after each (channel_bandits.h): per
//   channel sent, converted, rate, Wilson interval; control against optimized with the lift.
// - Holdout lift and money take each profile's group from its first entry (holdout is stable per
//   profile and journey) and its goal steps from a stored funnel matched in order by its own
//   events at or after that entry. Money counts treated profiles only (the holdout is sent
//   nothing).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/funnel_definition.h"
#include "base/mutex.h"
#include "engine/engine_channels.h"
#include "engine/goal_service.h"
#include "engine/journey_service.h"
#include "experiments/split_tally.h"
#include "goals/attribution.h"
#include "identity/profile_store.h"
#include "journeys/journey_definition.h"
#include "rules/json_match.h"
#include "signpost/clock.h"
#include "signpost/queries.h"
#include "signpost/reports.h"
#include "store/store.h"

namespace signpost::engine {

class ExperimentService {
 public:
  // Every reference outlives the service.
  ExperimentService(const store::Store& store, const identity::ProfileStore& profiles,
                    const GoalService& goals, const ChannelService& channels, const Clock& clock);

  // One profile's entry in each of `splits` (split steps of `journey`'s latest version, in that
  // order) by the rules above — nullopt where it is not counted — read from its stored events and
  // credited by AttributeStored over `goals` (every journey's goal). What the split reports count
  // and what the live SplitCounters keep (split_counters.h), so the two agree.
  Result<std::vector<std::optional<experiments::SplitEntry>>> SplitEntriesOf(
      ProfileId profile, std::string_view journey, const std::vector<const journeys::Step*>& splits,
      const std::vector<goals::JourneyGoal>& goals) const;

  // The variant every new profile of split step `step` of `journey` gets once the test is over:
  // the decided winner, or the default (first) variant after `no_winner_after` (30 days) without
  // one, or at the end date. nullopt while the test is running. The decision is the first
  // non-running one at the daily looks since the first assignment (started + 1 day, + 2 days, ...
  // up to the clock's now, and the end date), on the counts as of each look, so once made it
  // never changes for this definition (the always-valid test allows any looking schedule).
  // kNotFound when the journey or the split step does not exist.
  // Cost: O(variants) from the live counts (JourneyService::splits(), split_counters.h), plus
  // re-reading the profiles whose events changed since the last call (each once), plus evaluating
  // a look that came or whose counts a late event changed. Never a pass over the journey's
  // audience, except the first time a journey (or a new version of it) is asked about after open.
  Result<std::optional<std::string>> SplitWinner(const JourneyService& journeys,
                                                 std::string_view journey,
                                                 std::string_view step) const
      REQUIRES(journeys.mu());

  // See Engine::Experiments, Experiment, ChannelReport, HoldoutLift and JourneyMoney.
  Result<ExperimentList> List(const JourneyService& journeys) const EXCLUDES(journeys.mu());
  Result<SplitReport> Report(const JourneyService& journeys, std::string_view journey,
                             std::string_view step) const EXCLUDES(journeys.mu());
  Result<ChannelStepReport> ChannelReport(const JourneyService& journeys, std::string_view journey,
                                          std::string_view step) const EXCLUDES(journeys.mu());
  Result<HoldoutLiftReport> HoldoutLift(const JourneyService& journeys, std::string_view journey,
                                        const HoldoutLiftQuery& query) const
      EXCLUDES(journeys.mu());
  Result<MoneyReport> Money(const JourneyService& journeys, std::string_view journey,
                            const MoneyQuery& query) const EXCLUDES(journeys.mu());

  // The clock's now (the live split counts decide as of it).
  TimeMs Now() const { return clock_.NowMs(); }

 private:
  struct JourneySnapshot;  // a journey as the reports need it, copied under the journeys mutex
  struct ProfileFacts;     // one entered profile's track events, entries and goal credit

  // The journey's latest definition, goals and entered profiles; kNotFound naming the journey.
  static Result<JourneySnapshot> Snapshot(const JourneyService& journeys, std::string_view journey)
      EXCLUDES(journeys.mu());
  // The facts of one profile in `journey`, credited over `goals`; nullopt when it has no entry
  // there (merged away: its entries live on the surviving profile).
  Result<std::optional<ProfileFacts>> FactsOf(ProfileId p, std::string_view journey,
                                              const std::vector<goals::JourneyGoal>& goals) const;
  // The facts of every entered profile of the snapshot.
  Result<std::vector<ProfileFacts>> Gather(std::string_view journey,
                                           const JourneySnapshot& s) const;
  // The profile's assignment at split `step` by the rules above; nullopt when it has none.
  static std::optional<experiments::SplitEntry> AssignmentOf(const ProfileFacts& f,
                                                             std::string_view journey,
                                                             const journeys::Step& step);
  // The split's report at the clock's now, the decision fixed at the first deciding daily look.
  Result<SplitReport> SplitReportOf(std::string_view journey, const journeys::Step& step,
                                    const std::vector<ProfileFacts>& facts, bool has_goal) const;
  // A stored funnel of event steps (kNotFound / kInvalidArgument naming `funnel`); QueryFunnel:
  // none for an empty id.
  Result<analytics::FunnelDefinition> LoadFunnel(const FunnelId& id) const;
  Result<std::optional<analytics::FunnelDefinition>> QueryFunnel(const FunnelId& id) const;
  // The funnel steps the profile reached in order after its first entry.
  static int StepsReached(const analytics::FunnelDefinition& funnel, const ProfileFacts& f,
                          rules::JsonMatcher& jm);
  // The `cost_per_message` of channel `id`'s latest definition; nullopt when it has none.
  Result<std::optional<double>> ConfiguredCost(std::string_view id) const;

  const store::Store& store_;
  const identity::ProfileStore& profiles_;
  const GoalService& goals_;
  const ChannelService& channels_;
  const Clock& clock_;
};

}  // namespace signpost::engine
