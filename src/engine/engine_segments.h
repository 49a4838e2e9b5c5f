// The segments area's state inside Engine::Impl (see engine_segments.cc).
#pragma once

#include "engine/engine_impl.h"

namespace signpost {

struct SegmentsPart {};

}  // namespace signpost
