// The reserved system events: what signpost itself records about journeys, messages and goals.
// They are stored like any event (track events under the profile's identity), so funnels, goals
// and segments can read them; users cannot use them as journey triggers or goals.
//
// Properties every journey system event carries (keys below):
//   journey (id), version (number), entry (1-based entry number of this profile in this journey)
// and, by event:
//   Journey Entered   holdout (bool), trigger (the trigger event's name, or "segment:<name>")
//   Journey Exited    reason (one of the kExit* below), step (step id where it left; "" at entry)
//   Experiment Assigned  step (the split step), variant (variant id)
//   Message Sent      step, channel, template, key (the outbox idempotency key)
//   Message Delivered / Message Failed   step, channel, key; Failed also error, permanent (bool)
//   Message Opened    step, channel, key
//   Message Clicked   step, channel, key, url
//   Goal Attained     goal_type, hit_event (name), hit_message_id, hit_at (ISO 8601),
//                     entered_at (ISO 8601 of the credited entry)
//   Profile Updated   step, traits (object of the traits set by an `update` step)
// Timestamps: a system event's timestamp is the event time at which it happened in the journey
// (the trigger's time for an entry, a timer's due time for a wait that ended), so live runs and
// replays produce identical events. Message ids are deterministic (kSystemMessageIdPrefix +
// journey/version/profile/entry/step/kind), so re-processing after a crash stores them once.
#pragma once

#include <array>
#include <string_view>

namespace signpost::system_events {

inline constexpr std::string_view kJourneyEntered = "Journey Entered";
inline constexpr std::string_view kJourneyExited = "Journey Exited";
inline constexpr std::string_view kExperimentAssigned = "Experiment Assigned";
inline constexpr std::string_view kMessageSent = "Message Sent";
inline constexpr std::string_view kMessageDelivered = "Message Delivered";
inline constexpr std::string_view kMessageOpened = "Message Opened";
inline constexpr std::string_view kMessageClicked = "Message Clicked";
inline constexpr std::string_view kMessageFailed = "Message Failed";
inline constexpr std::string_view kGoalAttained = "Goal Attained";
inline constexpr std::string_view kProfileUpdated = "Profile Updated";

inline constexpr std::array<std::string_view, 10> kAll = {
    kJourneyEntered, kJourneyExited,  kExperimentAssigned, kMessageSent,  kMessageDelivered,
    kMessageOpened,  kMessageClicked, kMessageFailed,      kGoalAttained, kProfileUpdated};

// True when `name` is a reserved system event name.
inline bool IsReserved(std::string_view name) {
  for (std::string_view n : kAll)
    if (n == name) return true;
  return false;
}

inline constexpr std::string_view kSystemMessageIdPrefix = "sp:";

// Journey Exited reasons. Completed and the two journey-ended reasons give the goal's listening
// window; every other reason ends attribution at the exit (see src/goals/README.md).
// Completed: left through an end of the step graph (after the last step, an `exit` step, or an
// `exit` target such as a wait's `on_event: exit`).
inline constexpr std::string_view kExitCompleted = "completed";
inline constexpr std::string_view kExitJourneyStopped = "journey_stopped";      // journey stopped
inline constexpr std::string_view kExitJourneyCompleted = "journey_completed";  // end time reached
inline constexpr std::string_view kExitSuppressed = "suppressed";  // joined a suppression segment
inline constexpr std::string_view kExitNoConsent = "no_consent";
inline constexpr std::string_view kExitNoAddress = "no_address";
inline constexpr std::string_view kExitFrequencyCap = "frequency_cap";
inline constexpr std::string_view kExitSendFailed = "send_failed";
inline constexpr std::string_view kExitMerged = "merged";  // two profiles in the journey merged
// The person was erased (a privacy request): counted in the step analytics, but no `Journey
// Exited` event is recorded for it (the person's events are being removed).
inline constexpr std::string_view kExitErased = "erased";

// ---- privacy: the journey requires a tracking-consent category the person withdrew
inline constexpr std::string_view kExitTrackingConsent = "consent";

// Keys of the properties above.
inline constexpr std::string_view kPropJourney = "journey";
inline constexpr std::string_view kPropVersion = "version";
inline constexpr std::string_view kPropEntry = "entry";

}  // namespace signpost::system_events
