// ProfileView: everything known about one profile, as `signpost profile user-42 --json` shows it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "identity/records.h"
#include "identity/traits.h"
#include "signpost/clock.h"
#include "signpost/ids.h"

namespace signpost::identity {

struct ProfileView {
  ProfileId id;
  std::vector<std::string> identities;        // "user:..", "anon:..", sorted
  std::map<std::string, std::string> traits;  // current: dotted name -> value JSON
  std::vector<TraitChange> trait_history;     // every identify's traits, by (timestamp, seq, name)
  Consent consent;                            // from consent.email|sms|push
  TimeMs first_seen = 0, last_seen = 0;       // event timestamps; 0 when no events
  uint64_t event_count = 0;
  std::vector<RefusedMerge> refused_merges;  // refused links where either side is this profile
};

}  // namespace signpost::identity
