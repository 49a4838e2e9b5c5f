// The counts-only fast path (BestLevel over the cached step projection) against the general
// attempt matcher (the path that also collects timings) on random indexes: sealed, with delta
// rows, after merges and removals, with segments, date ranges, repeated step names, profiles whose
// events span more than 2^32 ms, and 1-3 threads. Also: BulkLoad gives the same index as Add.
#include "analytics/step_projection.h"

#include <gtest/gtest.h>

#include <random>

#include "analytics/bulk_load.h"
#include "analytics/funnel_kernel.h"
#include "analytics/funnel_query.h"
#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;

const char* const kProjectionNames[] = {"A", "B", "C", "D", "E", "F"};

Event RandomEvent(std::mt19937_64& rng, uint64_t seq, bool far) {
  // Minutes over a few days (ties happen); now and then years away, so some profiles are wide.
  TimeMs ts =
      static_cast<TimeMs>(rng() % 4) * kDayMs + static_cast<TimeMs>(rng() % 300) * kMinuteMs;
  if (far && rng() % 50 == 0) ts += 400 * kDayMs;
  return TrackEvent(seq, ts, kProjectionNames[rng() % 6]);
}

FunnelDefinition RandomNameFunnel(std::mt19937_64& rng) {
  FunnelDefinition def;
  def.id = FunnelId("projection");
  const int n = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < n; ++i) {
    FunnelStep s;
    s.name = kProjectionNames[rng() % 4];  // few names: repeats (A>A) are common
    s.any_of.push_back(rules::EventMatcher{s.name, {}});
    def.steps.push_back(s);
  }
  const DurationMs windows[] = {10 * kMinuteMs, 2 * kHourMs, kDayMs, 3 * kDayMs};
  def.window = windows[rng() % 4];
  return def;
}

// Step counts of `def` by the general path (timings on) and the fast one (counts only).
void ExpectPathsAgree(const EventIndex& index, const FunnelDefinition& def, FunnelOptions options) {
  options.timings = true;
  auto general = RunFunnel(index, def, options, nullptr);
  options.timings = false;
  ASSERT_TRUE(general.ok()) << general.status().ToString();
  // The fast path on the sealed columns (a step set's first run) and on the projection (from its
  // second run on), each with the vector kernel (where the CPU has AVX-512) and the scalar one.
  for (bool projection : {false, true}) {
    for (bool vector : {true, false}) {
      AllowStepProjectionForTesting(projection);
      AllowVectorKernelForTesting(vector);
      auto fast = RunFunnel(index, def, options, nullptr);
      AllowVectorKernelForTesting(true);
      AllowStepProjectionForTesting(true);
      ASSERT_TRUE(fast.ok()) << fast.status().ToString();
      ASSERT_EQ(general->steps.size(), fast->steps.size());
      for (size_t k = 0; k < general->steps.size(); ++k)
        EXPECT_EQ(fast->steps[k].count, general->steps[k].count)
            << "step " << k + 1 << (projection ? " (projection" : " (columns")
            << (vector ? ", vector kernel)" : ", scalar kernel)");
    }
  }
}

TEST(StepProjection, FastCountsMatchTheGeneralKernel) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    EventIndex index;
    const uint64_t profiles = 1500 + rng() % 3000;  // more than one chunk of the projection
    uint64_t seq = 0;
    for (int i = 0; i < 20000; ++i)
      index.Add(ProfileId(1 + rng() % profiles), RandomEvent(rng, ++seq, seed % 2 == 0));
    index.Seal();
    for (int round = 0; round < 4; ++round) {
      FunnelDefinition def = RandomNameFunnel(rng);
      FunnelOptions options;
      options.threads = 1 + static_cast<int>(rng() % 3);
      if (rng() % 3 == 0) {
        options.from = static_cast<TimeMs>(rng() % 3) * kDayMs;
        options.to = *options.from + static_cast<TimeMs>(1 + rng() % 2) * kDayMs;
      }
      if (rng() % 4 == 0) {
        std::vector<ProfileId> segment;
        for (uint64_t p = 1; p <= profiles; ++p) {
          if (rng() % 3 == 0) segment.push_back(ProfileId(p));
        }
        options.segment = segment;
      }
      SCOPED_TRACE("round " + std::to_string(round) + " steps " + std::to_string(def.steps.size()));
      ExpectPathsAgree(index, def, options);
      // The same again from the cache, then with delta rows, a merge and a removal on top.
      ExpectPathsAgree(index, def, options);
      for (int i = 0; i < 300; ++i)
        index.Add(ProfileId(1 + rng() % (profiles + 50)), RandomEvent(rng, ++seq, false));
      const ProfileId from(1 + rng() % profiles), into(1 + rng() % profiles);
      if (index.SlotOf(from) >= 0) {
        ASSERT_TRUE(index.MergeProfiles(from, into).ok());
      }
      ExpectPathsAgree(index, def, options);
      std::vector<uint64_t> gone;
      for (int i = 0; i < 200; ++i) gone.push_back(1 + rng() % seq);
      index.RemoveEvents(gone);
      ExpectPathsAgree(index, def, options);
    }
  }
}

// The column kernel's fallbacks: more step names than it compares at once (each step any of two
// names, up to 14), and chunks with a timestamp beyond +-2^60 ms, against the general kernel.
TEST(StepProjection, ColumnCountsWithManyStepNamesAndFarTimesMatchTheGeneralKernel) {
  const char* const names[] = {"N0", "N1", "N2", "N3", "N4",  "N5",
                               "N6", "N7", "N8", "N9", "N10", "N11"};
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    EventIndex index;
    const uint64_t profiles = 2500;
    for (uint64_t seq = 1; seq <= 15000; ++seq) {
      TimeMs ts =
          static_cast<TimeMs>(rng() % 3) * kDayMs + static_cast<TimeMs>(rng() % 600) * kMinuteMs;
      if (seed % 2 == 0 && rng() % 500 == 0) ts += (rng() % 2 == 0 ? 1 : -1) * (TimeMs{1} << 61);
      index.Add(ProfileId(1 + rng() % profiles), TrackEvent(seq, ts, names[rng() % 12]));
    }
    index.Seal();
    for (int round = 0; round < 3; ++round) {
      FunnelDefinition def;
      def.id = FunnelId("columns");
      const int n = 2 + static_cast<int>(rng() % 6);
      const bool two = round != 0;  // one name a step: at most 7 names, the vector kernel
      for (int i = 0; i < n; ++i) {
        FunnelStep step;
        step.name = names[rng() % 12];
        step.any_of.push_back(rules::EventMatcher{step.name, {}});
        if (two) step.any_of.push_back(rules::EventMatcher{names[rng() % 12], {}});
        def.steps.push_back(step);
      }
      def.window = (1 + static_cast<DurationMs>(rng() % 48)) * kHourMs;
      FunnelOptions options;
      options.threads = 1 + static_cast<int>(rng() % 2);
      SCOPED_TRACE("round " + std::to_string(round));
      ExpectPathsAgree(index, def, options);
    }
  }
}

TEST(StepProjection, KeepsOnlyStepEventsFromTheFirstStepOneAndCachesPerTable) {
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(1, 100, "B"));  // before any A: never fills a step
  index.Add(ProfileId(1), TrackEvent(2, 200, "A"));
  index.Add(ProfileId(1), TrackEvent(3, 300, "X"));  // not a step
  index.Add(ProfileId(1), TrackEvent(4, 400, "B"));
  index.Add(ProfileId(2), TrackEvent(5, 100, "B"));  // no A at all: left out
  index.Seal();
  std::vector<uint64_t> table(index.NameCount(), 0);
  table[index.NameId("A")] = 1;
  table[index.NameId("B")] = 2;
  auto p = index.StepProjectionFor(table, 2);
  ASSERT_EQ(p->ProfileCount(), 1u);
  EXPECT_EQ(p->Slots()[0], static_cast<uint32_t>(index.SlotOf(ProfileId(1))));
  EXPECT_EQ(p->Bases()[0], 200);
  ASSERT_EQ(p->EventCount(), 2u);
  EXPECT_EQ(p->Times()[0], 0u);
  EXPECT_EQ(p->Times()[1], 200u);
  EXPECT_EQ(p->Masks()[0], 1 | StepProjection::kFirst);
  EXPECT_EQ(p->Masks()[1], 2);
  // Same table (trailing zeros aside): the cached one; a seal with new rows drops it.
  table.push_back(0);
  EXPECT_EQ(index.StepProjectionFor(table, 1), p);
  index.Add(ProfileId(2), TrackEvent(6, 50, "A"));
  EXPECT_EQ(index.StepProjectionFor(table, 1), p);  // delta rows do not change the sealed part
  index.Seal();
  EXPECT_NE(index.StepProjectionFor(table, 1), p);
  EXPECT_EQ(index.StepProjectionFor(table, 1)->ProfileCount(), 2u);
}

// Every sealed column and slot of two indexes.
void ExpectSameIndex(const EventIndex& a, const EventIndex& b) {
  ASSERT_EQ(a.EventCount(), b.EventCount());
  ASSERT_EQ(a.SlotCount(), b.SlotCount());
  ASSERT_EQ(a.HasDelta(), b.HasDelta());
  ViewScratch sa, sb;
  for (uint32_t s = 0; s < a.SlotCount(); ++s) {
    ASSERT_EQ(a.SlotProfile(s), b.SlotProfile(s)) << "slot " << s;
    ProfileView va = a.View(s, &sa), vb = b.View(s, &sb);
    ASSERT_EQ(va.size, vb.size) << "slot " << s;
    for (size_t i = 0; i < va.size; ++i) {
      EXPECT_EQ(va.ts[i], vb.ts[i]);
      EXPECT_EQ(va.seq[i], vb.seq[i]);
      EXPECT_EQ(a.Name(va.name[i]), b.Name(vb.name[i]));
      EXPECT_EQ(va.type[i], vb.type[i]);
    }
  }
}

TEST(BulkLoad, GivesTheIndexAddGives) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::vector<std::pair<uint64_t, Event>> events;
    const uint64_t profiles = 1 + rng() % 2000;
    const int n = static_cast<int>(rng() % 30000);
    for (int i = 0; i < n; ++i) {
      Event e = RandomEvent(rng, static_cast<uint64_t>(i + 1), true);
      e.type = static_cast<EventType>(rng() % 6);
      // Profile ids dense (even seeds: BulkLoad's parallel slot assignment), or mostly dense and
      // now and then huge (odd seeds: the sparse map, the serial path).
      const bool huge = seed % 2 == 1 && rng() % 100 == 0;
      uint64_t p = huge ? (uint64_t{1} << 40) + rng() % 5 : 1 + rng() % profiles;
      events.emplace_back(p, e);
    }
    EventIndex added;
    for (const auto& [p, e] : events) added.Add(ProfileId(p), e);
    added.Seal();
    for (int threads : {1, 2, 3}) {
      const size_t parts_n = 1 + rng() % 4;
      std::vector<BulkRows> parts(parts_n);
      for (size_t i = 0; i < events.size(); ++i) {
        const auto& [p, e] = events[i];
        parts[i * parts_n / std::max<size_t>(1, events.size())].Add(p, e.timestamp, e.seq, e.event,
                                                                    e.type);
      }
      EventIndex bulk;
      ASSERT_TRUE(bulk.BulkLoad(parts, threads).ok());
      ExpectSameIndex(added, bulk);
      EXPECT_EQ(bulk.ProfileCount(), added.ProfileCount());
      // It keeps working as an index: adds, merges, removals.
      EventIndex& again = bulk;
      again.Add(ProfileId(1), TrackEvent(1000000, 5, "A"));
      again.Seal();
      EXPECT_EQ(again.EventCount(), added.EventCount() + 1);
      std::vector<BulkRows> more(1);
      more[0].Add(1, 1, 1, "A", EventType::kTrack);
      EXPECT_EQ(again.BulkLoad(more, 1).code(), Code::kFailedPrecondition);
    }
  }
}

}  // namespace
}  // namespace signpost::analytics
