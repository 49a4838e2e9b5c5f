// The one assignment of profiles to experiment groups: the variant of a split step and the holdout
// of a journey. Both place a bucket in [0, 10000) — a hash of the experiment's key and the profile
// id — on percent shares, so a profile keeps its group on every run, machine and restart, and two
// experiments (two keys) assign independently. The journey runtime calls these for every split and
// holdout; assignments must never change between releases (a profile would switch variant
// mid-test), which assignment_test pins. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "signpost/ids.h"

namespace signpost::experiments {

// The profile's bucket in [0, 10000) for experiment `key`: XXH3-64 of `key`, a NUL byte and the
// profile id as 8 little-endian bytes, modulo 10,000.
uint32_t AssignmentBucket(std::string_view key, ProfileId profile);

// The variant index in [0, percents.size()) of `profile` in split `key` (the runtime uses
// "<journey>/<step>"): the first variant whose cumulative share (percent × 100) is above the
// bucket; the last one when rounding leaves the bucket above them all (and 0 for an empty list).
// `percents` are shares in percent that add up to 100, as journey definitions validate them.
size_t AssignVariant(std::string_view key, ProfileId profile, const std::vector<double>& percents);

// True when `profile` falls in the `percent`% holdout of experiment `key` (the runtime uses the
// journey id): its bucket is below percent × 100. Never for percent <= 0.
bool InHoldout(std::string_view key, ProfileId profile, double percent);

}  // namespace signpost::experiments
