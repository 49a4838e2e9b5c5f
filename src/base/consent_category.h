// Tracking-consent categories (Segment's `context.consent.categoryPreferences`: "marketing",
// "analytics", ...): the one rule for a category's name and the trait that records a person's
// preference for it (`consent.tracking.<category>`, in the trait history). Categories are compared
// in lower case, so `Marketing` from a consent manager and `consent: marketing` in a journey are
// the same category. Pure functions: thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "signpost/status.h"

namespace signpost {

// The trait-name prefix of tracking consent: "consent.tracking.".
inline constexpr std::string_view kTrackingConsentPrefix = "consent.tracking.";

// `name` in lower case when it is a category name: 1 to 64 bytes, no '.', no control character,
// not blank. kInvalidArgument saying so otherwise (the caller prefixes the field).
Result<std::string> ConsentCategory(std::string_view name);

// "consent.tracking.<category>" for a category ConsentCategory returned.
std::string TrackingConsentTrait(std::string_view category);

}  // namespace signpost
