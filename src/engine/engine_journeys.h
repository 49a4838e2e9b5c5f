// The journeys inside the engine, around the JourneyService (journey_service.h): the environment
// the runtime reads profiles through (JourneyEnvironment, over the services it is built from),
// what a journey definition may refer to (JourneyReferences), replay (ReplayService) and the step
// analytics views.
//
// Thread-safety: JourneyReferences and ReplayService may be called from any thread (they keep no
// state; replay takes the journeys' shared mutex for what it reads of the live journeys). A
// JourneyEnvironment belongs to one runtime and is called as that runtime is: a live partition's
// with that partition's lock held, a replay's from the replaying thread; it takes the journeys'
// shared mutex (JourneyService::mu()) for what it reads of the goals and splits.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/channel_bandits.h"
#include "engine/delivery_service.h"
#include "engine/engine_channels.h"
#include "engine/experiment_service.h"
#include "engine/funnel_service.h"
#include "engine/goal_service.h"
#include "engine/journey_service.h"
#include "engine/next_best_action_service.h"
#include "engine/segment_service.h"
#include "identity/traits.h"
#include "journeys/runtime.h"
#include "signpost/reports.h"

namespace signpost::engine {

// The services the journeys read through, after the write path in the data flow. Every reference
// outlives whatever is built from it.
struct JourneyReaders {
  const Clock& clock;
  const store::Store& store;
  const identity::ProfileStore& profiles;
  const SegmentService& segments;
  const FunnelService& funnels;
  const DeliveryService& delivery;
  const GoalService& goals;
  const ExperimentService& experiments;
  ChannelService& channels;  // the live `channel: auto` choices
  // Next best action snapshots (`next_best_action:` branches and template values); null: none.
  const NextBestActionService* next_best_actions = nullptr;
};

// What a replay changes in the traits it reads (ReplayService): the stored trait changes of the
// live updates it re-simulates are left out, and its own updates' changes are added, so the
// journeys of a programme read the traits they set themselves (and the segments those move a
// profile into). Built and read on the replaying thread only.
struct ReplayTraits {
  std::unordered_set<uint64_t> dropped_seqs;  // stored events whose trait changes are left out
  std::unordered_map<uint64_t, std::vector<identity::TraitChange>> added;  // by profile id
};

// The environment a runtime reads profiles through (live and replay). With `replay_channels`, its
// `channel: auto` choices come from (and are counted in) that ChannelBandits, under keys of their
// own, never reusing a stored choice (a replay); without, from the live one of `journeys`.
class JourneyEnvironment final : public journeys::Environment {
 public:
  JourneyEnvironment(const JourneyReaders& readers, const JourneyService& journeys,
                     ChannelBandits* replay_channels = nullptr,
                     const ReplayTraits* replay_traits = nullptr)
      : r_(readers),
        journeys_(journeys),
        channels_(replay_channels),
        replay_traits_(replay_traits) {}

  std::unique_ptr<journeys::ProfileScope> Open(ProfileId p) override;
  journeys::SegmentDependencies DependenciesOf(const SegmentId& segment) override;
  // The decided winner of a split, asked again at most once a minute of journey time while the
  // test runs (deciding reads the journey's events); a decision is final and kept. Takes the
  // journeys' shared mutex.
  std::optional<std::string> SplitWinner(const JourneyId& journey, std::string_view step,
                                         TimeMs at) override;
  // From the channel's definition, kept until a channel is applied again.
  std::string ConsentKind(std::string_view channel) override;
  // privacy: the `consent` settings in force.
  bool TrackingConsentDefault(std::string_view category) override;
  // From the template's definition, kept until a template or channel is applied again.
  std::vector<std::string> TemplateFunnels(std::string_view template_id) override;
  // The step event names of the funnel's latest stored version (none when it does not exist).
  std::vector<std::string> FunnelEvents(const FunnelId& funnel) override;
  // Live: a send already recorded under this key (a re-processing after a crash) keeps its choice;
  // otherwise Thompson sampling on the step's bandit, the choice counted as a send at once. Live
  // (no replay channels): takes the journeys' shared mutex.
  journeys::ChannelChoice ChooseChannel(const journeys::ChannelQuestion& q) override;
  // Today's members that were members at `at` (a replay starts a segment journey at the start of
  // its window, before some of today's members joined; a profile that has left since is missed).
  Result<std::vector<ProfileId>> Members(const SegmentId& segment, TimeMs at) override;

 private:
  const JourneyReaders r_;
  const JourneyService& journeys_;
  ChannelBandits* channels_;           // a replay's; nullptr = the live one
  const ReplayTraits* replay_traits_;  // a replay's; nullptr = the stored traits as they are
  std::map<std::string, std::pair<TimeMs, std::optional<std::string>>> winners_;
  std::map<std::string, std::string, std::less<>> consent_kinds_;
  uint64_t consent_generation_ = 0;
  std::map<std::string, std::vector<std::string>, std::less<>> template_funnels_;
  uint64_t funnels_generation_ = 0;
};

// What a journey definition may refer to (segments, templates, channels, funnels, its goal),
// checked against the stored definitions and the services when a definition is read.
class JourneyReferences {
 public:
  JourneyReferences(const store::Store& store, const SegmentService& segments,
                    const DeliveryService& delivery)
      : store_(store), segments_(segments), delivery_(delivery) {}
  // The checks; each reads the store or the services when called.
  journeys::References Checks() const;

 private:
  const store::Store& store_;
  const SegmentService& segments_;
  const DeliveryService& delivery_;
};

// Back-tests journeys on stored events: a fresh runtime on a virtual clock, fed the events of the
// window through the same code as the live engine, writing and sending nothing.
class ReplayService {
 public:
  ReplayService(JourneyReaders readers, const JourneyService& journeys)
      : r_(std::move(readers)), journeys_(journeys) {}
  // See Engine::Replay, ReplayProgramme, CompareReplays.
  Result<ReplayReport> Replay(const ReplayRequest& request) const EXCLUDES(journeys_.mu());
  Result<ProgrammeReplayReport> ReplayProgramme(const ProgrammeReplayRequest& request) const
      EXCLUDES(journeys_.mu());
  Result<ReplayComparison> CompareReplays(const ReplayComparisonRequest& request) const
      EXCLUDES(journeys_.mu());

 private:
  // One journey of a programme: its id and stored version (0 = the latest).
  struct Member {
    JourneyId id;
    uint64_t version = 0;
  };
  Result<ProgrammeReplayReport> Run(const std::vector<Member>& members, TimeMs from,
                                    TimeMs to) const EXCLUDES(journeys_.mu());

  const JourneyReaders r_;
  const JourneyService& journeys_;
};

}  // namespace signpost::engine

namespace signpost {

// The runtime's view of a stored event of `profile`.
journeys::InputEvent InputOf(const Event& e, ProfileId profile);
// Step analytics of a journey: the entry node, then each step of `def` with inflow, in progress,
// passed on, exits by reason and the edges to the next steps.
std::vector<JourneyStepView> StepViews(const journeys::JourneyDefinition& def,
                                       const journeys::JourneyStatus& st);
// The journey's totals (exits from steps, the entry node's left out).
JourneyTotals TotalsOf(const journeys::JourneyStatus& st);

}  // namespace signpost
