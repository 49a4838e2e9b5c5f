// The attribution kernel: which journey entries of one profile are credited with its goal, as a
// pure function of that profile's events (the journey runtime's system events plus its own track
// events) and the journeys' goals. Live runs and replays call the same function on the same
// events, so they agree by construction. The rules, with their tie choices, are in
// src/goals/README.md; each is a scenario in tests/scenarios/goals/.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "goals/goal_definition.h"
#include "signpost/clock.h"
#include "signpost/ids.h"

namespace signpost::goals {

// A journey and its goal. `listening_window`: how long after a completed exit (or the end of the
// journey) a hit still counts; the journey definition's `listening_window` (default 3 days).
struct JourneyGoal {
  JourneyId journey;
  GoalDefinition goal;
  DurationMs listening_window = 3 * kDayMs;
};

// One event of the profile. Views: the caller owns the text for the duration of the call.
// `properties_json` is the event's `properties` object as JSON ("" or "{}" when none).
struct ProfileEvent {
  TimeMs timestamp = 0;
  uint64_t seq = 0;  // arrival order; breaks ties between equal timestamps
  std::string_view name;
  std::string_view properties_json;
  std::string_view message_id;
};

// One entry of the profile into a journey, from its Journey Entered / Journey Exited /
// Experiment Assigned events.
struct EntryRecord {
  JourneyId journey;
  uint32_t entry = 0;  // 1-based entry number of this profile in this journey
  uint64_t version = 0;
  TimeMs entered_at = 0;
  std::optional<TimeMs> exited_at;  // nullopt: still in the journey (active)
  std::string exit_reason;          // system_events::kExit*; "" while active
  bool holdout = false;
  std::string variant;       // the first Experiment Assigned variant of this entry; "" none
  uint64_t entered_seq = 0;  // seq of the Journey Entered event (a tie-break)
};

// The credit of one journey for one profile: its first qualifying hit.
struct Credit {
  JourneyId journey;
  uint32_t entry = 0;
  uint64_t version = 0;
  TimeMs entered_at = 0;
  TimeMs hit_at = 0;
  uint64_t hit_seq = 0;
  std::string hit_event;
  std::string hit_message_id;
  bool holdout = false;
  std::string variant;
  std::string channel;  // channel of the entry's last Message Sent before the hit; "" none
};

// The entries of every journey in `events` (any order; they are taken by (timestamp, seq)),
// ordered by (entered_at, entered_seq). A Journey Exited or Experiment Assigned without a
// matching Journey Entered (same journey and entry) is ignored, and so is a repeated Journey
// Entered of an entry already seen. Pure: thread-safe.
std::vector<EntryRecord> Entries(std::span<const ProfileEvent> events);

// The credits of one profile: at most one per journey of `journeys` (its first qualifying hit by
// (timestamp, seq)), in the order of `journeys`. Journeys without entries get none. Pure:
// thread-safe (it keeps a thread-local JSON parser).
std::vector<Credit> AttributeProfile(std::span<const JourneyGoal> journeys,
                                     std::span<const ProfileEvent> events);

// True when an exit `reason` opens the listening window (completed, journey_stopped,
// journey_completed); every other reason ends attribution at the exit.
bool ExitListens(std::string_view reason);

}  // namespace signpost::goals
