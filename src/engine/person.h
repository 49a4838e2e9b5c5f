// One person as a privacy request names them (an erasure, an export): the profile and every
// identity linked to it, resolved once by the privacy service and handed to each service that
// holds something about them. Plain data; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "signpost/ids.h"

namespace signpost::engine {

struct Person {
  ProfileId profile;
  // Every identity linked to the profile, canonical ("user:<id>", "anon:<id>"; signpost/event.h).
  std::vector<std::string> identities;
};

}  // namespace signpost::engine
