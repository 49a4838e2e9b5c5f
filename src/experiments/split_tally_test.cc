#include "experiments/split_tally.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace signpost::experiments {
namespace {

const std::vector<std::string> kVariants = {"A", "B"};
constexpr TimeMs kT0 = 1'790'000'000'000;

// The decision computed from scratch, as the split report did before the tally existed: daily looks
// from the first assignment (and the end date), the counts as of each look, the first look that is
// not running decides.
SplitDecision FromScratch(const std::vector<SplitEntry>& entries, std::optional<TimeMs> ends_at,
                          TimeMs now) {
  if (entries.empty()) return {};
  TimeMs started = entries.front().at;
  for (const auto& e : entries) started = std::min(started, e.at);
  std::vector<TimeMs> looks;
  for (TimeMs t = started + kDayMs; t <= now; t += kDayMs) looks.push_back(t);
  if (ends_at && *ends_at <= now) looks.push_back(std::max(*ends_at, started));
  std::sort(looks.begin(), looks.end());
  ExperimentPolicy policy;
  policy.ends_at = ends_at;
  policy.probability_draws = 1;
  for (TimeMs t : looks) {
    std::vector<VariantCounts> counts = {{"A", 0, 0}, {"B", 0, 0}};
    for (const auto& e : entries) {
      if (e.at > t) continue;
      ++counts[e.variant].entered;
      if (e.converted_at && *e.converted_at <= t) ++counts[e.variant].converted;
    }
    auto r = Evaluate(counts, policy, started, t);
    EXPECT_TRUE(r.ok());
    if (r->decision != ExperimentDecision::kRunning)
      return {r->decision, r->winner, r->assign_to, t};
  }
  return {};
}

void ExpectSame(const SplitDecision& got, const SplitDecision& want) {
  EXPECT_EQ(got.decision, want.decision);
  EXPECT_EQ(got.winner, want.winner);
  EXPECT_EQ(got.assign_to, want.assign_to);
  EXPECT_EQ(got.decided_at, want.decided_at);
}

// Profiles arrive over days with some conversions, some late (time-stamped days back), some
// changing (removed and added again) and some removed; after every step the tally's decision is
// the one computed from scratch.
TEST(SplitTally, DecidesAsTheLooksComputedFromScratchWhateverTheOrderOfEvents) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    const bool with_end = seed % 3 == 0;
    const std::optional<TimeMs> ends_at =
        with_end ? std::optional<TimeMs>(kT0 + 9 * kDayMs + 7 * kHourMs) : std::nullopt;
    SplitTally tally(kVariants, ends_at);
    std::vector<SplitEntry> entries;
    const double rate_b = seed % 2 ? 0.10 : 0.16;  // even seeds: B wins at some look
    TimeMs now = kT0;
    for (int step = 0; step < 400; ++step) {
      now += 50 * kMinuteMs;
      const int kind = static_cast<int>(rng() % 20);
      if (kind < 16 || entries.empty()) {  // 25 profiles now, or (1 in 4) a day or two back
        const TimeMs base = rng() % 4 == 0 ? now - static_cast<TimeMs>(rng() % (2 * kDayMs)) : now;
        for (int i = 0; i < 25; ++i) {
          SplitEntry e;
          e.variant = rng() % 2;
          e.at = std::max<TimeMs>(kT0, base - static_cast<TimeMs>(rng() % kHourMs));
          const double rate = e.variant == 0 ? 0.10 : rate_b;
          if (static_cast<double>(rng() % 1000) < rate * 1000)
            e.converted_at = e.at - kHourMs + static_cast<TimeMs>(rng() % (2 * kDayMs));
          tally.Add(e);
          entries.push_back(e);
        }
      } else if (kind < 19) {  // a profile converts late, or its conversion moves
        SplitEntry& e = entries[rng() % entries.size()];
        tally.Remove(e);
        e.converted_at = e.at + static_cast<TimeMs>(rng() % (3 * kDayMs));
        tally.Add(e);
      } else {  // a profile goes (merged away)
        const size_t i = rng() % entries.size();
        tally.Remove(entries[i]);
        entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
      }
      auto got = tally.Decide(now);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ExpectSame(*got, FromScratch(entries, ends_at, now));
      if (testing::Test::HasFailure()) return;
    }
  }
}

TEST(SplitTally, ADecisionCostsNothingUntilALookComesOrTheCountsOfAPastLookChange) {
  SplitTally tally(kVariants, std::nullopt);
  for (int i = 0; i < 100; ++i) tally.Add({static_cast<size_t>(i % 2), kT0 + i, std::nullopt});
  ASSERT_TRUE(tally.Decide(kT0 + kDayMs + kHourMs).ok());
  EXPECT_EQ(tally.evaluations(), 1u);  // the look at kT0 + 1 day
  for (TimeMs t = kT0 + kDayMs + kHourMs; t < kT0 + 2 * kDayMs; t += kMinuteMs) {
    ASSERT_TRUE(tally.Decide(t).ok());
    tally.Add({0, t, std::nullopt});  // after the last look: no look changes
  }
  EXPECT_EQ(tally.evaluations(), 1u);
  ASSERT_TRUE(tally.Decide(kT0 + 2 * kDayMs).ok());
  EXPECT_EQ(tally.evaluations(), 2u);  // the look at kT0 + 2 days
  tally.Add({1, kT0 + 5, kT0 + 6});    // late: counts at both looks
  ASSERT_TRUE(tally.Decide(kT0 + 2 * kDayMs).ok());
  EXPECT_EQ(tally.evaluations(), 4u);
}

TEST(SplitTally, NoWinnerAfterThirtyDaysAndTheEndDateDecide) {
  SplitTally open(kVariants, std::nullopt);
  open.Add({0, kT0, std::nullopt});
  open.Add({1, kT0 + kHourMs, std::nullopt});
  EXPECT_FALSE(open.Decide(kT0 + 29 * kDayMs)->decided_at);
  auto over = open.Decide(kT0 + 40 * kDayMs);
  EXPECT_EQ(over->decision, ExperimentDecision::kNoWinner);
  EXPECT_EQ(over->assign_to, 0u);
  EXPECT_EQ(over->decided_at, kT0 + 30 * kDayMs);

  SplitTally timed(kVariants, kT0 + 3 * kDayMs + kHourMs);
  timed.Add({1, kT0, std::nullopt});
  auto ended = timed.Decide(kT0 + 10 * kDayMs);
  EXPECT_EQ(ended->decision, ExperimentDecision::kEnded);
  EXPECT_EQ(ended->decided_at, kT0 + 3 * kDayMs + kHourMs);  // the end date, not a daily look
  EXPECT_EQ(timed.CountsAt(kT0)[1].entered, 1u);
  EXPECT_EQ(timed.started(), kT0);
  timed.Remove({1, kT0, std::nullopt});
  EXPECT_FALSE(timed.started());
  EXPECT_FALSE(timed.Decide(kT0 + 10 * kDayMs)->decided_at);
}

}  // namespace
}  // namespace signpost::experiments
