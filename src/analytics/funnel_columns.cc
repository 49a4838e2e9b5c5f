// ColumnCounter (funnel_kernel.h): BestLevel over the sealed columns for a range of slots, what the
// first query of a step set counts on (the step projection is built from the second on).
//
// With AVX-512 and at most kMaxColumnIds distinct step names, a chunk of slots is counted in three
// passes, none with a branch per event:
//  1. the name and time columns, 16 events at a time, the names compared with the step names; the
//     positions, times and step masks of the step events are compressed into a list (about 1
//     event in 5 in a typical funnel);
//  2. for each listed event its profile (rank of the profile starts up to it, from a bitmap of the
//     chunk's profile starts), the date range and the segment folded into its mask, and a flag on
//     a profile's first listed event;
//  3. the register kernel (funnel_register.h) on that list, in four interleaved streams: a
//     register of chain starts per profile, every step updated at once per event.
// Without AVX-512, or with more step names, or with a timestamp beyond +-2^60 ms in the chunk (the
// kernel's sentinel arithmetic needs that room), it runs BestLevel per profile.
#include <immintrin.h>

#include <algorithm>
#include <bit>

#include "analytics/funnel_kernel.h"
#include "analytics/funnel_register.h"

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace signpost::analytics {

namespace {

constexpr int64_t kColumnTimeLimit = int64_t{1} << 60;
// Flags a profile's first listed event in its mask byte.
constexpr uint8_t kColumnFirst = 0x80;

// One stream of listed events [at, end).
struct ColumnStream {
  __m512i start;
  __m512i reached;
  uint64_t at, end;
};

__attribute__((target("avx512f"), always_inline)) inline void ColumnStep(ColumnStream& s,
                                                                         uint64_t i, uint64_t pad,
                                                                         const int64_t* ts,
                                                                         const uint8_t* mask,
                                                                         int64_t window) {
  const uint64_t idx = s.at + i < s.end ? s.at + i : pad;  // past its end: the pad (mask 0)
  const uint32_t m = mask[idx];
  RegisterStep(s.start, s.reached, static_cast<__mmask8>(0 - (m >> 7)), 0xff,
               static_cast<__mmask8>(m & 0x7f), ts[idx], window);
}

// Pass 1, one block of 16 events from `i` (the lanes in `valid`): the step events' positions and
// times appended at `kept`. The name and time columns stream in together: every line of both is
// needed when 1 event in a few is a step event, and the hardware prefetches a stream best.
__attribute__((target("avx512f"), always_inline)) inline void ListBlock(
    const uint32_t* names, const TimeMs* ts, size_t i, __mmask16 valid, const __m512i* want,
    const __m512i* fills, int nids, __m512i at, uint32_t* pos, int64_t* times, uint8_t* masks,
    size_t* kept) {
  const __m512i v = _mm512_maskz_loadu_epi32(valid, names + i);
  __mmask16 hit = 0;
  __m512i m = _mm512_setzero_si512();
  for (int j = 0; j < nids; ++j) {
    const __mmask16 eq = _mm512_mask_cmpeq_epi32_mask(valid, v, want[j]);
    hit |= eq;
    m = _mm512_mask_mov_epi32(m, eq, fills[j]);
  }
  _mm512_storeu_si512(pos + *kept, _mm512_maskz_compress_epi32(hit, at));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(masks + *kept),
                   _mm512_cvtepi32_epi8(_mm512_maskz_compress_epi32(hit, m)));
  const auto lo_hit = static_cast<__mmask8>(hit);
  const auto hi_hit = static_cast<__mmask8>(hit >> 8);
  // Plain loads for a whole block: a load masked by `hit` would wait for the compare.
  const __m512i lo = valid == 0xffff
                         ? _mm512_loadu_si512(ts + i)
                         : _mm512_maskz_loadu_epi64(static_cast<__mmask8>(valid), ts + i);
  const __m512i hi = valid == 0xffff
                         ? _mm512_loadu_si512(ts + i + 8)
                         : _mm512_maskz_loadu_epi64(static_cast<__mmask8>(valid >> 8), ts + i + 8);
  const size_t lo_n = static_cast<size_t>(std::popcount(static_cast<unsigned>(lo_hit)));
  _mm512_storeu_si512(times + *kept, _mm512_maskz_compress_epi64(lo_hit, lo));
  _mm512_storeu_si512(times + *kept + lo_n, _mm512_maskz_compress_epi64(hi_hit, hi));
  *kept += static_cast<size_t>(std::popcount(static_cast<unsigned>(hit)));
}

// Pass 1: the positions (relative to `names`), times and step masks (`table`) of the n events
// whose name is one of ids[0..nids), in order. `pos`, `times` and `masks` have room for n + 16.
// Returns how many.
__attribute__((target("avx512f"))) size_t ListStepEvents(const uint32_t* names, const TimeMs* ts,
                                                         size_t n, const uint32_t* ids, int nids,
                                                         const uint8_t* table, uint32_t* pos,
                                                         int64_t* times, uint8_t* masks) {
  __m512i want[ColumnCounter::kMaxColumnIds];
  __m512i fills[ColumnCounter::kMaxColumnIds];
  for (int j = 0; j < nids; ++j) {
    want[j] = _mm512_set1_epi32(static_cast<int>(ids[j]));
    fills[j] = _mm512_set1_epi32(table[ids[j]]);
  }
  const __m512i step = _mm512_set1_epi32(16);
  __m512i at = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  size_t kept = 0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    ListBlock(names, ts, i, 0xffff, want, fills, nids, at, pos, times, masks, &kept);
    at = _mm512_add_epi32(at, step);
  }
  if (i < n) {
    const auto valid = static_cast<__mmask16>((1u << (n - i)) - 1);
    ListBlock(names, ts, i, valid, want, fills, nids, at, pos, times, masks, &kept);
  }
  return kept;
}

// Pass 3: the listed events in kStreams interleaved streams (a chain of dependent vector
// instructions per event: more streams keep more of them in flight).
constexpr int kStreams = 4;

__attribute__((target("avx512f"))) void RunColumnStreams(const int64_t* ts, const uint8_t* mask,
                                                         size_t kept, int64_t window,
                                                         uint64_t* reach) {
  // Cut at a profile's first event near each quarter (the list starts with one).
  size_t cut[kStreams + 1];
  cut[0] = 0;
  cut[kStreams] = kept;
  for (int q = 1; q < kStreams; ++q) {
    size_t m = std::max(cut[q - 1], kept * static_cast<size_t>(q) / kStreams);
    while (m < kept && (mask[m] & kColumnFirst) == 0) ++m;
    cut[q] = m;
  }
  const __m512i none = _mm512_set1_epi64(kRegisterNoStart);
  ColumnStream st[kStreams];
  uint64_t len = 0;
  for (int q = 0; q < kStreams; ++q) {
    st[q] = ColumnStream{none, _mm512_setzero_si512(), cut[q], cut[q + 1]};
    len = std::max<uint64_t>(len, cut[q + 1] - cut[q]);
  }
  for (uint64_t i = 0; i < len; ++i) {
    ColumnStep(st[0], i, kept, ts, mask, window);
    ColumnStep(st[1], i, kept, ts, mask, window);
    ColumnStep(st[2], i, kept, ts, mask, window);
    ColumnStep(st[3], i, kept, ts, mask, window);
  }
  __m512i total = _mm512_setzero_si512();
  for (ColumnStream& s : st)
    total = _mm512_add_epi64(total, RegisterFinish(s.start, s.reached, 0xff));
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, total);
  for (int k = 0; k < ColumnCounter::kMaxSteps; ++k) reach[k] += lanes[k];
}

}  // namespace

ColumnCounter::ColumnCounter(const FunnelPlan& plan, const EventIndex& index)
    : plan_(plan), index_(index) {
  const uint32_t names = std::min(index.NameCount(), static_cast<uint32_t>(plan.name_steps.size()));
  table_.assign(index.NameCount(), 0);
  for (uint32_t id = 0; id < names; ++id) {
    const uint64_t m = plan.name_steps[id];
    if (m == 0) continue;
    table_[id] = static_cast<uint8_t>(m);
    if (nids_ < kMaxColumnIds) ids_[nids_] = id;
    ++nids_;
  }
  vector_ = nids_ <= kMaxColumnIds && RegisterKernelUsable();
}

void ColumnCounter::CountScalar(uint32_t s0, uint32_t s1, const uint8_t* skip,
                                uint64_t* reach) const {
  const uint64_t* off = index_.SealedOffsets();
  const TimeMs* ts = index_.SealedTimestamps();
  const uint32_t* name = index_.SealedNames();
  for (uint32_t s = s0; s < s1; ++s) {
    if (skip != nullptr && skip[s - s0]) continue;
    const int level = BestLevel(plan_, ts + off[s], name + off[s], off[s + 1] - off[s]);
    for (int k = 0; k < level; ++k) ++reach[k];
  }
}

namespace {

// Passes 2 and 3 for the chunk of slots [s0, s1), after pass 1 listed `kept` step events in
// scratch. False when a listed time is beyond +-2^60 ms (nothing counted then).
template <bool kSkip, bool kRange>
__attribute__((target("avx512f,popcnt"))) bool CountListed(const uint64_t* off, uint32_t s0,
                                                           uint32_t s1, const FunnelPlan& plan,
                                                           const uint8_t* skip, size_t kept,
                                                           ColumnCounter::Scratch* scratch,
                                                           uint64_t* reach) {
  const uint64_t e0 = off[s0];
  const size_t n = off[s1] - e0;
  // Profile starts: bit (off[s] - e0) for each slot with events; rank -> skip flag.
  const size_t words = n / 64 + 1;
  scratch->starts.assign(words, 0);
  scratch->prefix.resize(words);
  if constexpr (kSkip) scratch->skipped.resize(s1 - s0);
  uint64_t* bits = scratch->starts.data();
  uint8_t* skipped = scratch->skipped.data();
  size_t ranks = 0;
  // The word being filled stays in a register (stored each time, never read back: no chain of
  // read-modify-writes through memory); words no profile starts in stay 0.
  uint64_t word = 0, at = 0;
  for (uint32_t s = s0; s < s1; ++s) {
    const uint64_t p = off[s] - e0;
    const bool events = off[s + 1] != off[s];
    word = ((p >> 6) == at ? word : 0) | static_cast<uint64_t>(events) << (p & 63);
    at = p >> 6;
    bits[at] = word;
    if constexpr (kSkip) {
      skipped[ranks] = skip[s - s0];
      ranks += events ? 1 : 0;
    }
  }
  uint32_t before = 0;
  for (size_t w = 0; w < words; ++w) {
    scratch->prefix[w] = before;
    before += static_cast<uint32_t>(std::popcount(bits[w]));
  }
  int64_t* kts = scratch->ts.data();
  uint8_t* km = scratch->mask.data();
  const uint32_t* pos = scratch->pos.data();
  const uint32_t* prefix = scratch->prefix.data();
  const TimeMs from = plan.from, to = plan.to;
  uint32_t prev_rank = 0;  // ranks count from 1
  bool far = false;
  for (size_t j = 0; j < kept; ++j) {
    const uint32_t p = pos[j];
    const uint64_t upto = bits[p >> 6] & (~uint64_t{0} >> (63 - (p & 63)));
    const uint32_t rank = prefix[p >> 6] + static_cast<uint32_t>(std::popcount(upto));
    const TimeMs t = kts[j];
    uint32_t m = km[j];
    if constexpr (kRange) m &= 0xfe | static_cast<uint32_t>(t >= from && t < to);
    if constexpr (kSkip) m &= 0u - static_cast<uint32_t>(skipped[rank - 1] == 0);
    m |= rank != prev_rank ? kColumnFirst : 0u;
    prev_rank = rank;
    far |= static_cast<uint64_t>(t) + static_cast<uint64_t>(kColumnTimeLimit) >
           static_cast<uint64_t>(2 * kColumnTimeLimit);
    km[j] = static_cast<uint8_t>(m);
  }
  if (far) return false;
  kts[kept] = 0;  // the pad event
  km[kept] = 0;
  RunColumnStreams(kts, km, kept, plan.window, reach);
  return true;
}

}  // namespace

void ColumnCounter::Count(uint32_t s0, uint32_t s1, const uint8_t* skip, Scratch* scratch,
                          uint64_t* reach) const {
  if (!vector_ || nids_ == 0) {
    if (nids_ != 0) CountScalar(s0, s1, skip, reach);
    return;
  }
  const uint64_t* off = index_.SealedOffsets();
  const uint64_t e0 = off[s0];
  const size_t n = off[s1] - e0;
  if (n == 0) return;
  if (n > UINT32_MAX - 16) return CountScalar(s0, s1, skip, reach);  // positions are 32-bit
  const uint32_t* name = index_.SealedNames() + e0;
  const TimeMs* ts = index_.SealedTimestamps() + e0;
  scratch->pos.resize(n + 16);
  scratch->ts.resize(n + 16);
  scratch->mask.resize(n + 16);
  const size_t kept = ListStepEvents(name, ts, n, ids_, nids_, table_.data(), scratch->pos.data(),
                                     scratch->ts.data(), scratch->mask.data());
  if (kept == 0) return;
  const bool range = plan_.from != INT64_MIN || plan_.to != INT64_MAX;
  auto listed = skip != nullptr ? (range ? CountListed<true, true> : CountListed<true, false>)
                                : (range ? CountListed<false, true> : CountListed<false, false>);
  if (!listed(off, s0, s1, plan_, skip, kept, scratch, reach)) CountScalar(s0, s1, skip, reach);
}

}  // namespace signpost::analytics
