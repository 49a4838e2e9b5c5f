// The journeys area's state inside Engine::Impl (see engine_journeys.cc).
#pragma once

#include "engine/engine_impl.h"

namespace signpost {

struct JourneysPart {};

}  // namespace signpost
