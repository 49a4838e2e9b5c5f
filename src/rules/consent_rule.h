// The `consent:` a definition may require (a journey, a funnel): the tracking-consent categories a
// person must have granted (base/consent_category.h) — one name or a list, each in lower case,
// every one required. Pure: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "signpost/status.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace signpost::rules {

// `consent: marketing` or `consent: [marketing, analytics]` -> {"marketing", "analytics"}
// (sorted, without repeats). kInvalidArgument naming `field` (e.g. "consent[1]") and the fix.
Result<std::vector<std::string>> ParseConsentRequirement(const YAML::Node& node,
                                                         std::string_view field);

}  // namespace signpost::rules
