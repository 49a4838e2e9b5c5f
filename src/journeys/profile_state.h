// The journey runtime's state of one profile: where it is in each journey, how often it entered,
// and its recent sends (for the frequency cap). Persisted as one record per profile.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signpost/clock.h"
#include "signpost/ids.h"

namespace signpost::journeys {

// One live entry of a profile in a journey.
struct Instance {
  uint32_t entry = 0;    // 1-based entry number
  uint64_t version = 0;  // the journey version it entered (and finishes on)
  int step = 0;          // index of the current step in that version
  TimeMs entered_at = 0;
  TimeMs step_since = 0;  // when it arrived at the current step
  TimeMs due = 0;         // when its timer fires (wait end, timeout, quiet hours end); 0 = none
  bool holdout = false;
  bool quiet_wait = false;  // held at a message step until quiet hours end
  std::string entry_event;  // the trigger's name ("" for a segment entry)
  std::string entry_properties = "{}";
  // The resolved correlation of the current wait: (property path, value the event must carry).
  std::vector<std::pair<std::string, std::string>> correlation;
  uint32_t messages = 0;  // messages sent in this entry (makes each key unique)
  std::string last_message_key;
  bool last_opened = false, last_clicked = false;
  std::string variant;  // the last split variant assigned
};

// One profile in one journey.
struct JourneyState {
  uint32_t entries = 0;
  TimeMs last_entered = 0;
  TimeMs last_exited = 0;
  std::optional<Instance> active;
};

struct ProfileState {
  std::map<JourneyId, JourneyState, std::less<>> journeys;  // by journey id
  std::vector<TimeMs> sends;  // message times within the frequency-cap window
  // The segment watches armed for this profile (Runtime::Watch: a join-later segment, a
  // suppression, a `funnel_step:` stall), (journey, due) sorted: stored with the state, so after a
  // restart each still fires at its own instant.
  std::vector<std::pair<JourneyId, TimeMs>> watches;
  bool empty() const { return journeys.empty() && sends.empty() && watches.empty(); }
};

nlohmann::json ToJson(const ProfileState& s);
// kInvalidArgument-free: unknown or missing fields read as defaults (the record is ours).
ProfileState ProfileStateFromJson(const nlohmann::json& j);

}  // namespace signpost::journeys
