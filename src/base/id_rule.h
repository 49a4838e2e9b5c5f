// The one rule for the ids people give what they define and save: funnels, segments (rule and
// static), journeys, templates, channels, settings. Ids travel in URL paths, file names, metric
// labels and log lines, so they are plain text: 1 to 128 characters of ASCII letters, digits,
// '.', '_' and '-', beginning with a letter or a digit. Pure: any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "signpost/status.h"

namespace signpost {

inline constexpr size_t kMaxIdLength = 128;

// Ok when `id` follows the rule; else kInvalidArgument naming `field`, what is wrong (the id is
// quoted only when it is short and printable) and the rule.
Status CheckId(std::string_view field, std::string_view id);

}  // namespace signpost
