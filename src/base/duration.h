// Human durations ("30s", "15m", "1h", "7d", "2w", "1d12h") <-> DurationMs.
#pragma once

#include <string>
#include <string_view>

#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost {

// Parses a duration: one or more <digits><unit> parts, units w (week), d, h, m, s, ms, each used at
// most once and from the largest to the smallest ("1d12h", not "12h1d"). "0s" is zero. No sign,
// no spaces, no fractions.
// Returns the length in milliseconds on success; kInvalidArgument with a message that names the
// text, what is wrong and the accepted form (also when the total passes ~292 million years).
// Pure function: thread-safe.
Result<DurationMs> ParseDuration(std::string_view text);

// Formats `d` so ParseDuration reads it back: "2w" for whole weeks, else the non-zero parts of
// d/h/m/s/ms from the largest ("1d12h", "90s" becomes "1m30s", "1500ms" becomes "1s500ms").
// Zero is "0s"; a negative duration gets a leading "-" (which ParseDuration refuses).
// Pure function: thread-safe.
std::string FormatDuration(DurationMs d);

}  // namespace signpost
