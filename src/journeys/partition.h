// The partition of a profile: the journeys runtime runs as N partitions by profile (one thread,
// queue, runtime state and durable cursor each), and a partition is the unit of ownership and
// recovery a scale-out over a replicated log will hand to a machine. So which partition owns a
// profile is a stable pure function of the profile id and N, the same on every machine, compiler
// and run: never std::hash.
//
// PartitionOf is Lamping & Veach's jump consistent hash of a fixed 64-bit mix of the id: when N
// grows from n to n + 1 only about 1/(n + 1) of the profiles move (each to the new partition), so
// re-homing stored states after a change of N (src/journeys/README.md, "Partitions") moves as few
// as it can.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "signpost/ids.h"

namespace signpost::journeys {

// The SplitMix64 finalizer: spreads consecutive ids over the 64 bits. Fixed forever (changing it
// re-homes every profile).
constexpr uint64_t PartitionMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The partition in [0, n) that owns profile `profile`; 0 when n <= 1.
constexpr uint32_t PartitionOf(uint64_t profile, uint32_t n) {
  if (n <= 1) return 0;
  uint64_t key = PartitionMix(profile);
  int64_t b = -1, j = 0;
  while (j < static_cast<int64_t>(n)) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<int64_t>(static_cast<double>(b + 1) * (static_cast<double>(1LL << 31) /
                                                           static_cast<double>((key >> 33) + 1)));
  }
  return static_cast<uint32_t>(b);
}
inline uint32_t PartitionOf(ProfileId profile, uint32_t n) {
  return PartitionOf(profile.value(), n);
}

}  // namespace signpost::journeys
