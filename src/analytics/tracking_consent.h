// Who a funnel with `consent:` counts (issue 13, item 6): per profile slot of an EventIndex,
// whether the person had granted every required tracking-consent category as of a time. A person's
// preference for a category is the one stated by their latest event (by timestamp, then seq) at or
// before that time whose `context.consent.categoryPreferences` has a boolean for it (category names
// compared in lower case, as the trait history records them); a person who never stated one gets
// the default. Read through the index's cached column of that object (one JSON parse per distinct
// object, none per event), so a query pays one pass over the events, not a parse of each.
// Thread-safety: as the index's const methods (hold its shared lock).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analytics/event_index.h"
#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::analytics {

struct ConsentRequirement {
  std::vector<std::string> categories;   // lower case; every one is needed
  std::map<std::string, bool> defaults;  // per category, for people who never stated one
  bool granted_by_default = true;        // for the other categories
};

// Per slot (index.SlotCount()): 1 when the profile counts, 0 when it lacks a category at `as_of`.
// The column's load error (through `source`) otherwise.
Result<std::vector<uint8_t>> ConsentMask(const EventIndex& index, const ConsentRequirement& need,
                                         TimeMs as_of, const PropertySource* source);

}  // namespace signpost::analytics
