// ISO 8601 / RFC 3339 timestamps <-> TimeMs (ms since the Unix epoch, UTC).
#pragma once

#include <string>
#include <string_view>

#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost {

// Parses an RFC 3339 / ISO 8601 timestamp:
//   2026-11-24                      a bare date: midnight UTC
//   2026-11-24T05:00Z               minutes only (seconds 0)
//   2026-11-24T05:00:00.123456789Z  a fraction of any length, truncated to milliseconds
//   2026-11-24T05:00:00+02:00       offsets +hh:mm, -hhmm, +hh; "Z"/"z" for UTC
//   2026-11-24 05:00:00             a space instead of "T"; no offset means UTC
// Years 0001-9999; month, day (leap years included), hour 00-23, minute and second 00-59 and
// offset (up to 23:59) are range-checked.
// Returns the instant on success; kInvalidArgument with a message naming the text, the bad part
// and the accepted form on failure. Pure function: thread-safe, no allocation on success.
Result<TimeMs> ParseIso8601(std::string_view text);

// Formats `t` as "2026-11-24T05:00:00.123Z" (always UTC, always milliseconds). Years outside
// 0000-9999 are written with a sign and at least five digits ("+10000-01-01T00:00:00.000Z"),
// as ISO 8601's expanded form does. Pure function: thread-safe.
std::string FormatIso8601(TimeMs t);

// Days since 1970-01-01 of a proleptic Gregorian date (no range check; month 1-12, day 1-31).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace signpost
