// Quiet hours in a profile's time zone.
#pragma once

#include <string_view>

#include "journeys/journey_definition.h"
#include "signpost/clock.h"

namespace signpost::journeys {

// The earliest time >= t that is outside the quiet hours `q` in time zone `tz` (an IANA name such
// as "Europe/Paris"; an unknown or empty name means `fallback_tz`, then UTC). Returns t itself when
// t is not in quiet hours or they are disabled. Across a daylight-saving gap the end is the first
// existing local minute. Thread-safe.
TimeMs QuietHoursEnd(TimeMs t, const QuietHours& q, std::string_view tz,
                     std::string_view fallback_tz);

// True when `tz` names a time zone of the system's database.
bool KnownTimeZone(std::string_view tz);

}  // namespace signpost::journeys
