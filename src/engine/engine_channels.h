// Channel optimization inside the engine (`message: { channel: auto }`), its loading side
// (the ChannelBandits themselves are in channel_bandits.h): loading them from the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/channel_bandits.h"
#include "engine/engine_impl.h"
#include "journeys/environment.h"
#include "journeys/journey_definition.h"
#include "signpost/event.h"

namespace signpost {

// Feeds the stored track events of `profiles` with timestamp < `before` into `out`.
Status LoadChannelSends(const store::Store& store, const identity::ProfileStore& profiles_store,
                        const std::vector<ProfileId>& profiles, TimeMs before, ChannelBandits* out);

// Loads the live ChannelBandits from the store when it is not loaded yet: the events of every
// profile that entered a journey with a `channel: auto` step in any version. Caller holds the
// journeys mutex.
Status EnsureChannelsLoaded(const Engine::Impl& m) REQUIRES(m.journeys->mu());

}  // namespace signpost
