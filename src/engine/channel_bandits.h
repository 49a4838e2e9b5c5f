// Channel optimization inside the engine (`message: { channel: auto }`): one
// experiments::ChannelBandit per (journey, step), whose counts are DERIVED from stored system
// events, never kept on their own:
//   - a send is a `Message Sent` with `auto: true` (its channel, `control`, `segment`), known by
//   its
//     outbox key, so the same send seen twice (a re-processing after a crash, a reload) counts
//     once;
//   - a send converted when its profile has a `Goal Attained` of that journey at or after the send
//     (the goal's hit time >= the send's time). Until then it counts as sent and not converted.
// The live engine keeps one ChannelBandits in the ChannelService (engine_channels.h, guarded by its
// mutex): it is loaded from the store on the first `channel: auto` choice after Open, counts each
// choice as a send when it is made (the runtime records its `Message Sent` in the same batch) and
// each goal credit when it is recorded (GoalService::RecordCredits). Reports and replays build
// their own from the stored events (ChannelService::Stored). See src/experiments/README.md
// ("bandit wiring").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "experiments/bandit.h"
#include "journeys/environment.h"
#include "journeys/journey_definition.h"
#include "signpost/event.h"

namespace signpost {

// One send of a `channel: auto` step.
struct AutoSend {
  JourneyId journey;
  std::string step, channel;
  SegmentId segment;  // learnt in this segment; empty = everyone
  bool control = false;
  TimeMs at = 0;
  uint64_t profile = 0;
  bool converted = false;
};

// Not thread-safe: the owner serializes every call (live: the ChannelService's mutex).
class ChannelBandits {
 public:
  // Counts one send under its outbox key; a key already counted changes nothing.
  void RecordSend(const std::string& key, AutoSend send);
  // `profile` attained the goal of `journey` at `at`: each of its sends in that journey at or
  // before `at` converts (once).
  void RecordGoal(const JourneyId& journey, uint64_t profile, TimeMs at);
  // Feeds one stored event of `profile`: a `Message Sent` with auto: true is a send, a `Goal
  // Attained` a goal; anything else is ignored.
  void Feed(const Event& e, uint64_t profile);

  // The send counted under `key`, nullptr when none.
  const AutoSend* SendOf(const std::string& key) const;
  // A choice for `q` from the (journey, step) bandit (a fresh one when nothing was sent yet), its
  // draws from a generator seeded by q.seed. Does not count it: see RecordSend.
  journeys::ChannelChoice Choose(const journeys::ChannelQuestion& q) const;
  // Choose(q), the choice counted at once as a send under `key` (RecordSend).
  journeys::ChannelChoice ChooseAndCount(const journeys::ChannelQuestion& q,
                                         const std::string& key);
  // Per channel, control and optimized, of every send of (journey, step) (`segment` "" = all of
  // them, whatever their segment; else the sends learnt in that segment).
  experiments::BanditReport Report(const JourneyId& journey, std::string_view step,
                                   const SegmentId& segment = SegmentId()) const;
  // The segments sends of (journey, step) were learnt in ("" excluded), sorted.
  std::vector<SegmentId> Segments(const JourneyId& journey, std::string_view step) const;

 private:
  static std::string StepKey(const JourneyId& journey, std::string_view step);
  void Convert(AutoSend& s);

  std::unordered_map<std::string, AutoSend> sends_;  // by outbox key
  // (journey, profile) -> outbox keys of its sends; -> its goal's hit time.
  std::map<std::pair<JourneyId, uint64_t>, std::vector<std::string>> by_profile_;
  std::map<std::pair<JourneyId, uint64_t>, TimeMs> goals_;
  std::map<std::string, experiments::ChannelBandit>
      bandits_;  // by StepKey: what choices learn from
  std::map<std::string, std::vector<std::string>> step_sends_;  // by StepKey: outbox keys
};

}  // namespace signpost
