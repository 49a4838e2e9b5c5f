// Tracking consent into the trait history (issue 13, item 6): Segment's consent object,
// `context.consent.categoryPreferences` ({"marketing": false, "analytics": true}), on any event of
// any type, is recorded as the traits `consent.tracking.<category>` (lower case, see
// base/consent_category.h) with the event's time and seq, so a person's consent as of any time is
// read like any trait (TraitsAsOf, the journeys' TraitAt). Only boolean preferences are recorded;
// other values and bad category names are ignored (the event itself is kept as sent).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity/traits.h"

namespace signpost::identity {

// The traits object recording the consent in `context_json`, as minified JSON
// ({"consent":{"tracking":{"marketing":false}}}), or "" when it states none. Cheap when the
// context has no "categoryPreferences" (no parse).
std::string TrackingConsentTraits(std::string_view context_json);

// `traits_json` with `consent_traits` (from TrackingConsentTraits) merged in; the consent wins.
std::string MergeTraits(std::string_view traits_json, std::string_view consent_traits);

// Tracking consent for `category` (lower case) as of `at`, from a trait history sorted as
// CurrentTraits leaves it: the latest boolean; nullopt when none was stated by then.
std::optional<bool> TrackingConsentAt(const std::vector<TraitChange>& sorted_history,
                                      std::string_view category, TimeMs at);

}  // namespace signpost::identity
