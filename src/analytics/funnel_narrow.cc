// ReachInChunk (funnel_kernel.h): BestLevel over a chunk of the step projection. The AVX-512
// version runs the register kernel (funnel_register.h) over the chunk's events as two interleaved
// streams without a branch per event (a profile start, flagged in the mask byte, counts the
// previous profile and resets the register).
#include <immintrin.h>

#include <algorithm>
#include <atomic>

#include "analytics/funnel_kernel.h"
#include "analytics/funnel_register.h"
#include "analytics/step_projection.h"

// GCC 12 reports the intrinsics' own undefined vectors (_mm512_undefined_*) as maybe
// uninitialized at -O2.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace signpost::analytics {

namespace {

void ReachScalar(const FunnelPlan& plan, const StepProjection& proj, uint32_t c,
                 const uint8_t* skip, uint64_t* reach) {
  const uint32_t p0 = c * StepProjection::kChunk;
  const uint32_t p1 = std::min(proj.ProfileCount(), p0 + StepProjection::kChunk);
  uint64_t pos = proj.ChunkOffsets()[c];
  for (uint32_t p = p0; p < p1; ++p) {
    const uint32_t n = proj.Counts()[p];
    if (skip == nullptr || !skip[p - p0]) {
      const int level =
          BestLevelNarrow(plan, proj.Bases()[p], proj.Times() + pos, proj.Masks() + pos, n);
      for (int k = 0; k < level; ++k) ++reach[k];
    }
    pos += n;
  }
}

// One stream of a chunk: its events [at, end), the current profile and its skip flag.
struct NarrowStream {
  __m512i start;
  __m512i reached;
  uint64_t at, end;
  int64_t profile;  // index relative to the chunk's first profile
  uint8_t skip;
};

template <bool kRange, bool kSkip>
__attribute__((target("avx512f"), always_inline)) inline void NarrowStep(
    NarrowStream& s, uint64_t i, uint64_t pad, const uint32_t* dt, const uint8_t* mask,
    const TimeMs* base, const uint8_t* skip, int64_t from, int64_t to, int64_t window) {
  const uint64_t idx = s.at + i < s.end ? s.at + i : pad;  // past its end: the pad event (mask 0)
  const uint32_t m = mask[idx];
  const int64_t t = dt[idx];
  const uint32_t first = m >> 7;
  // The profile that ends here is counted unless it was skipped (the flag before the update).
  __mmask8 count_filter = 0xff;
  if constexpr (kSkip) count_filter = static_cast<__mmask8>(s.skip - 1);
  s.profile += first;
  if constexpr (kSkip) s.skip = first ? skip[s.profile] : s.skip;
  __mmask8 bits = static_cast<__mmask8>(m & 0x7f);
  if constexpr (kRange) {
    const int64_t when = base[s.profile] + t;  // profile >= 0: a stream starts with a profile
    bits &= static_cast<__mmask8>(0xfe | static_cast<uint32_t>(when >= from && when < to));
  }
  RegisterStep(s.start, s.reached, static_cast<__mmask8>(0 - first), count_filter, bits, t, window);
}

template <bool kRange, bool kSkip>
__attribute__((target("avx512f"))) void ReachAvx512(const FunnelPlan& plan,
                                                    const StepProjection& proj, uint32_t c,
                                                    const uint8_t* skip, uint64_t* reach) {
  const uint32_t p0 = c * StepProjection::kChunk;
  const uint32_t p1 = std::min(proj.ProfileCount(), p0 + StepProjection::kChunk);
  const uint32_t pm = p0 + (p1 - p0) / 2;
  const uint16_t* count = proj.Counts();
  const uint64_t e0 = proj.ChunkOffsets()[c], e1 = proj.ChunkOffsets()[c + 1];
  uint64_t em = e0;
  for (uint32_t p = p0; p < pm; ++p) em += count[p];
  const __m512i none = _mm512_set1_epi64(kRegisterNoStart);
  NarrowStream a{none, _mm512_setzero_si512(), e0, em, -1, 0};
  NarrowStream b{none, _mm512_setzero_si512(), em, e1, static_cast<int64_t>(pm - p0) - 1, 0};
  const TimeMs* base = proj.Bases() + p0;
  const uint64_t pad = proj.EventCount();
  const uint64_t len = std::max(em - e0, e1 - em);
  for (uint64_t i = 0; i < len; ++i) {
    NarrowStep<kRange, kSkip>(a, i, pad, proj.Times(), proj.Masks(), base, skip, plan.from, plan.to,
                              plan.window);
    NarrowStep<kRange, kSkip>(b, i, pad, proj.Times(), proj.Masks(), base, skip, plan.from, plan.to,
                              plan.window);
  }
  const __mmask8 keep_a = kSkip ? static_cast<__mmask8>(a.skip - 1) : 0xff;
  const __mmask8 keep_b = kSkip ? static_cast<__mmask8>(b.skip - 1) : 0xff;
  a.reached = RegisterFinish(a.start, a.reached, keep_a);
  b.reached = RegisterFinish(b.start, b.reached, keep_b);
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, _mm512_add_epi64(a.reached, b.reached));
  for (int k = 0; k < StepProjection::kMaxSteps; ++k) reach[k] += lanes[k];
}

std::atomic<bool> vector_kernel_allowed{true};

}  // namespace

bool VectorKernelAllowed() { return vector_kernel_allowed.load(std::memory_order_relaxed); }

void AllowVectorKernelForTesting(bool allowed) { vector_kernel_allowed.store(allowed); }

void ReachInChunk(const FunnelPlan& plan, const StepProjection& proj, uint32_t c,
                  const uint8_t* skip, uint64_t* reach) {
  const uint32_t p0 = c * StepProjection::kChunk;
  const uint32_t p1 = std::min(proj.ProfileCount(), p0 + StepProjection::kChunk);
  // The vector kernel needs two non-empty streams (each starts with a profile).
  if (!RegisterKernelUsable() || p1 - p0 < 2) return ReachScalar(plan, proj, c, skip, reach);
  const bool range = plan.from != INT64_MIN || plan.to != INT64_MAX;
  if (range) {
    // The date range is checked on absolute times: relative ones would need the base anyway.
    if (skip != nullptr) return ReachAvx512<true, true>(plan, proj, c, skip, reach);
    return ReachAvx512<true, false>(plan, proj, c, skip, reach);
  }
  if (skip != nullptr) return ReachAvx512<false, true>(plan, proj, c, skip, reach);
  return ReachAvx512<false, false>(plan, proj, c, skip, reach);
}

}  // namespace signpost::analytics
