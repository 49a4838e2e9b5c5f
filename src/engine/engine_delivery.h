// The delivery area's state inside Engine::Impl (see engine_delivery.cc).
#pragma once

#include "engine/engine_impl.h"

namespace signpost {

struct DeliveryPart {};

}  // namespace signpost
