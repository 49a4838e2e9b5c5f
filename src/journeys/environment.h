// What the journey runtime asks of the world: a profile's traits, segment membership and history
// as of a time, and the segments' dependencies. The engine implements it over the store (live) and
// the same way for replay; tests implement it in memory.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/event_matcher.h"
#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/status.h"

namespace signpost::journeys {

// One profile's position in a funnel at one moment (ProfileScope::FunnelStepAt): what `funnel:`
// branches compare and what `{{funnel.<id>.<field>}}` template values show.
struct FunnelStepState {
  int last_step = 0;  // 1-based index of the last required step completed; 0 none
  std::string last_step_name;
  TimeMs last_step_at = 0;  // when it was completed (0 when none)
  int next_step = 0;        // the next required step (1-based); 0 when the funnel is complete
  std::string next_step_name;
};

// One profile's next best action in a funnel at one moment (ProfileScope::NextBestActionAt): what
// `next_best_action:` branches compare and `{{next_best_action.<id>}}` template values show.
struct NextBestActionState {
  bool stuck = false;       // at a step with a next required step
  std::string recommended;  // the journey or "<journey>/<step>"; "" when not enough evidence
};

// A lazily loaded view of one profile, used while the runtime handles one event or timer of it.
// Not thread-safe; short-lived.
class ProfileScope {
 public:
  virtual ~ProfileScope() = default;
  // The identity system events of this profile are recorded under ("user:42" / "anon:x").
  virtual const std::string& Identity() = 0;
  // Trait `name` (dotted, without "traits.") as of `at`, as JSON text; nullopt when unset.
  virtual std::optional<std::string> TraitAt(std::string_view name, TimeMs at) = 0;
  // Every trait as of `at`, as a nested JSON object (for personalization).
  virtual nlohmann::json TraitsAt(TimeMs at) = 0;
  // Membership in segment `name` at `at`. kNotFound for an unknown segment.
  virtual Result<bool> InSegment(const SegmentId& segment, TimeMs at) = 0;
  // Whether the profile did an event matching `m` with timestamp in [from, to].
  virtual Result<bool> DidEvent(const rules::EventMatcher& m, TimeMs from, TimeMs to) = 0;
  // Where the profile stood in funnel `funnel` at `at`, from its events with timestamp <= at only
  // (never one after it: live and replay answer alike). kNotFound for an unknown funnel.
  virtual Result<FunnelStepState> FunnelStepAt(const FunnelId& funnel, TimeMs at) = 0;
  // The next best action of the profile in funnel `funnel` as of `at`: its step and segment as of
  // `at`, the recommendation from the engine's snapshot (engine/next_best_action_service.h).
  // kNotFound for an unknown funnel. Default: kNotFound (not available).
  virtual Result<NextBestActionState> NextBestActionAt(const FunnelId& funnel, TimeMs at) {
    return Status::NotFound("next best action: not available here");
  }
  // The first time after `at` at which time passing alone changes the profile's membership in
  // `segment` (a funnel rule's `stuck_for`: someone stuck past the bound joins then); nullopt when
  // none. The runtime re-evaluates the profile at that time. Default: none.
  virtual std::optional<TimeMs> SegmentChangesAt(const SegmentId& segment, TimeMs at) {
    return std::nullopt;
  }
};

// What can change a segment's membership (see segments::Triggers).
struct SegmentDependencies {
  std::vector<std::string> events;
  bool traits = false;
  bool time = false;  // time passing alone can change it (ProfileScope::SegmentChangesAt)
};

// One send of a `channel: auto` message step to decide (Environment::ChooseChannel).
struct ChannelQuestion {
  JourneyId journey;
  std::string step;
  std::string key;  // the send's outbox key (journey/version/profile/entry/step[#n]): stable
  ProfileId profile;
  // The step's candidates the profile has consent and an address for, in the order written; never
  // empty.
  std::vector<std::string> available;
  std::string default_channel;  // the step's default (it may be unavailable for this profile)
  SegmentId segment;  // the first `optimize_by_segment` segment the profile is in; "" = everyone
  uint64_t seed = 0;  // XXH3 of the key: the draws of this choice, the same on every run
  TimeMs at = 0;      // event time of the send
};

struct ChannelChoice {
  std::string channel;   // one of ChannelQuestion::available
  bool control = false;  // sent through the default channel as part of the control group
};

class Environment {
 public:
  virtual ~Environment() = default;
  virtual std::unique_ptr<ProfileScope> Open(ProfileId profile) = 0;
  virtual SegmentDependencies DependenciesOf(const SegmentId& segment) = 0;
  // Members of segment `name` at `at` (for journeys whose entry is a segment).
  virtual Result<std::vector<ProfileId>> Members(const SegmentId& segment, TimeMs at) = 0;
  // The variant every new profile gets at a split step once its experiment is decided (the winner,
  // or the default variant when no winner came in time); nullopt while the test runs.
  virtual std::optional<std::string> SplitWinner(const JourneyId& journey, std::string_view step,
                                                 TimeMs at) {
    return std::nullopt;
  }
  // The consent a send through channel `channel` (an id) needs: "email", "sms", "push" (the trait
  // `consent.<kind>` must be true, and the address trait is `email`, `phone` or `push_token`), or
  // "" (no consent, no address: a plain webhook or file). Default: the id itself when it is one of
  // the three kinds, else "".
  virtual std::string ConsentKind(std::string_view channel) {
    return channel == "email" || channel == "sms" || channel == "push" ? std::string(channel) : "";
  }
  // privacy: whether a person who never stated a tracking-consent preference for `category` (lower
  // case) counts as granted (the `consent` settings). Default: granted.
  virtual bool TrackingConsentDefault(std::string_view category) { return true; }
  // The funnel ids template `template_id`'s placeholders name (`{{funnel.<id>.<field>}}`), whose
  // positions a message through it carries (journeys/template_funnels.h). Default: none.
  virtual std::vector<std::string> TemplateFunnels(std::string_view template_id) { return {}; }
  // The event names that can fill a step of funnel `funnel` (a `funnel_step:` entry reacts to
  // them). Default: none.
  virtual std::vector<std::string> FunnelEvents(const FunnelId& funnel) { return {}; }
  // The channel of one `channel: auto` send. The runtime sends through it at once (a `Message
  // Sent` with auto: true follows), so an implementation that learns may count the send here. A
  // channel outside `available` is ignored (the default rule applies). Default: the default channel
  // when available, else the first available; never control.
  virtual ChannelChoice ChooseChannel(const ChannelQuestion& q) {
    for (const std::string& c : q.available) {
      if (c == q.default_channel) return {c, false};
    }
    return {q.available.front(), false};
  }
};

}  // namespace signpost::journeys
