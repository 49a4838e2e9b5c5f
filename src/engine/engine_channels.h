// ChannelService: channel optimization inside the engine (`message: { channel: auto }`). It owns
// the live ChannelBandits (channel_bandits.h) the runtime's choices come from: loaded from the
// store on the first `channel: auto` choice after Open (the events of every profile that entered
// a journey with such a step in any version), then kept up to date by each choice (counted as a
// send when it is made; the runtime records its `Message Sent` in the same batch) and each goal
// credit the goal service records. Reports and replays build their own bandits from the stored
// events (Stored), so live and stored counts follow the same rules.
//
// Thread-safety: every method may be called from any thread. `mu_` guards the live bandits. The
// runtime's calls (ChooseLive, and RecordGoal through the goal service's credit hook) come with
// the journey service's mutex held: that mutex is always taken before `mu_`, never after.
#pragma once

#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "engine/channel_bandits.h"
#include "engine/journey_service.h"
#include "engine/person.h"
#include "experiments/bandit.h"
#include "identity/profile_store.h"
#include "journeys/environment.h"
#include "journeys/journey_definition.h"
#include "store/store.h"

namespace signpost::engine {

class ChannelService {
 public:
  // Every reference outlives the service.
  ChannelService(const store::Store& store, const identity::ProfileStore& profiles);

  // The live choice for `q` (a partition's runtime's, through its environment, which takes the
  // journeys' shared mutex): a send already counted
  // under q.key (a re-processing after a crash) keeps its choice; otherwise Thompson sampling on
  // the step's bandit, the choice counted as a send at once. Loads the live bandits first when
  // they are not loaded yet, from the profiles `journeys` says entered a journey with a `channel:
  // auto` step; a load that fails is logged and the choice made on what is known.
  journeys::ChannelChoice ChooseLive(const JourneyService& journeys,
                                     const journeys::ChannelQuestion& q) REQUIRES(journeys.mu())
      EXCLUDES(mu_);

  // `profile`'s `Goal Attained` of `journey` at `at` was just recorded: the live bandits count
  // the conversions (once). Before they are loaded nothing changes (the load reads it back).
  void RecordGoal(const JourneyId& journey, uint64_t profile, TimeMs at) EXCLUDES(mu_);

  // Bandits built from the stored track events of `profiles` with timestamp < `before` (reports:
  // every event; a replay: those before its start). Errors of the store.
  Result<ChannelBandits> Stored(const std::vector<ProfileId>& profiles, TimeMs before) const;

  // The live counts of (journey, step), loaded first when not loaded yet (tests compare them
  // with the stored ones). Takes the journeys mutex, so its caller must not hold it.
  Result<experiments::BanditReport> LiveReport(const JourneyService& journeys,
                                               const JourneyId& journey,
                                               std::string_view step) const
      EXCLUDES(mu_, journeys.mu());

  // Forgets `person` (an erasure): the live bandits are dropped and rebuilt from the stored events
  // on the next choice, from the profiles the journeys still know — so call it after the journey
  // service's ForgetPerson, and their sends and conversions are no longer counted whether or not
  // their events are gone yet. Sets bandits_reloaded when they were loaded; idempotent.
  PersonForgotten ForgetPerson(const Person& person) EXCLUDES(mu_);

  // True when some step of `def` is a `channel: auto` message.
  static bool HasAutoStep(const journeys::JourneyDefinition& def);

 private:
  // Feeds the stored track events of `profiles` with timestamp < `before` into `out`.
  Status FeedStored(const std::vector<ProfileId>& profiles, TimeMs before,
                    ChannelBandits* out) const;
  // Loads the live bandits when not loaded yet.
  Status EnsureLoaded(const JourneyService& journeys) const REQUIRES(journeys.mu(), mu_);

  const store::Store& store_;
  const identity::ProfileStore& profiles_;
  mutable Mutex mu_;
  mutable ChannelBandits live_ GUARDED_BY(mu_);
  mutable bool loaded_ GUARDED_BY(mu_) = false;
};

}  // namespace signpost::engine
