// The register kernel of the ordered funnel, shared by the step projection's streams
// (funnel_narrow.cc, repeated queries) and the sealed columns' step-event list (funnel_columns.cc,
// the first query): a profile's chain starts sit in one AVX-512 register (lane k = the latest
// start of a chain that reached step k + 1, or kRegisterNoStart) and an event updates every step
// at once: lane k takes lane k - 1's start when the event's name fills step k and that start is
// within the window, the update BestLevel makes step by step from the highest step down (each lane
// reads the starts from before the event). A profile's level is the number of lanes holding a
// start. x86-64 only, called only where RegisterKernelUsable().
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "analytics/funnel_kernel.h"

namespace signpost::analytics {

// Below every start the kernels see by more than any window they take: the projection's times are
// in [0, 2^32), the columns' are checked to be within +-2^60 (funnel_columns.cc).
inline constexpr int64_t kRegisterNoStart = INT64_MIN / 4;

// Whether the CPU has AVX-512F and the vector kernels are allowed (VectorKernelAllowed).
inline bool RegisterKernelUsable() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has && VectorKernelAllowed();
}

// One event at time `t` applied to a register of chain starts (`start`) and its stream's counts
// per level (`reached`). `first_mask` is all lanes when the event starts a new profile: the
// profile that ended is counted (unless `count_filter` is 0) and the register reset. `bits` are the
// steps the event's name fills (bit k for step k), already narrowed to the query's date range.
__attribute__((target("avx512f"), always_inline)) inline void RegisterStep(
    __m512i& start, __m512i& reached, __mmask8 first_mask, __mmask8 count_filter, __mmask8 bits,
    int64_t t, int64_t window) {
  const __m512i none = _mm512_set1_epi64(kRegisterNoStart);
  const __m512i prev = _mm512_set_epi64(6, 5, 4, 3, 2, 1, 0, 0);
  const __mmask8 count = _mm512_cmpgt_epi64_mask(start, none) & first_mask & count_filter;
  reached = _mm512_mask_add_epi64(reached, count, reached, _mm512_set1_epi64(1));
  start = _mm512_mask_mov_epi64(start, first_mask, none);
  const __m512i tv = _mm512_set1_epi64(t);
  const __m512i shifted = _mm512_mask_mov_epi64(_mm512_permutexvar_epi64(prev, start), 1, tv);
  const __mmask8 ok = _mm512_mask_cmpge_epi64_mask(bits, shifted, _mm512_set1_epi64(t - window));
  start = _mm512_mask_max_epi64(start, ok, start, shifted);
}

// `reached` with the stream's last profile counted (unless `count_filter` is 0).
__attribute__((target("avx512f"), always_inline)) inline __m512i RegisterFinish(
    __m512i start, __m512i reached, __mmask8 count_filter) {
  const __mmask8 last =
      _mm512_cmpgt_epi64_mask(start, _mm512_set1_epi64(kRegisterNoStart)) & count_filter;
  return _mm512_mask_add_epi64(reached, last, reached, _mm512_set1_epi64(1));
}

}  // namespace signpost::analytics
