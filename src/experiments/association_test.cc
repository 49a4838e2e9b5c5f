// Association statistics against values computed independently: exact rational arithmetic for
// Fisher's test (Python fractions over every table with the same margins, R's 1e-7 tie rule),
// mpmath at 30 digits for Woolf's interval, and by hand where the sums are short.
#include "experiments/association.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace signpost::experiments {
namespace {

TEST(FisherExact, LadyTastingTeaByHand) {
  // Margins 4/4: P(x) = C(4,x)C(4,4-x)/70 = 1, 16, 36, 16, 1 (/70); x = 3 -> (1+16+16+1)/70.
  EXPECT_NEAR(FisherExactTwoSided(3, 1, 1, 3), 34.0 / 70.0, 1e-12);
  EXPECT_NEAR(FisherExactTwoSided(4, 0, 0, 4), 2.0 / 70.0, 1e-12);
  // The mode itself: every table is no more probable -> 1.
  EXPECT_DOUBLE_EQ(FisherExactTwoSided(2, 2, 2, 2), 1.0);
}

TEST(FisherExact, MatchesExactRationalSums) {
  struct Case {
    uint64_t a, b, c, d;
    double p;
  } cases[] = {
      {10, 20, 30, 40, 0.504475769851628},
      {0, 5, 10, 10, 0.0612648221343874},
      {7, 2, 3, 12, 0.0103724348070828},
      {50, 950, 30, 970, 0.029562351644794},
      {1200, 8800, 1000, 9000, 6.80002422380841e-6},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(FisherExactTwoSided(c.a, c.b, c.c, c.d) / c.p, 1.0, 1e-8)
        << c.a << " " << c.b << " " << c.c << " " << c.d;
    // The test is symmetric in rows and in columns.
    EXPECT_NEAR(FisherExactTwoSided(c.c, c.d, c.a, c.b) / c.p, 1.0, 1e-8);
  }
  EXPECT_DOUBLE_EQ(FisherExactTwoSided(0, 0, 3, 4), 1.0);  // an empty row tells nothing
}

TEST(FisherExact, LargeTablesStayFastAndTiny) {
  // 1M people, a strong effect: far in the tail, p underflows towards 0 but stays a number.
  const double p = FisherExactTwoSided(30000, 70000, 90000, 810000);
  EXPECT_GE(p, 0.0);
  EXPECT_LT(p, 1e-300);
  // No effect at 1M people: p near the middle.
  EXPECT_GT(FisherExactTwoSided(10000, 90000, 90000, 810000), 0.9);
}

TEST(WoolfOddsRatio, MatchesMpmath) {
  struct Case {
    uint64_t a, b, c, d;
    double est, low, high;
  } cases[] = {
      {3, 1, 1, 3, 9.0, 0.366636931925545, 220.927006929157},
      {10, 20, 30, 40, 0.666666666666667, 0.272514847543026, 1.63089992509224},
      {1200, 8800, 1000, 9000, 1.22727272727273, 1.12285947966139, 1.34139522744347},
      {50, 950, 30, 970, 1.70175438596491, 1.0727963485923, 2.69945735176191},
  };
  for (const Case& c : cases) {
    OddsRatio r = WoolfOddsRatio(c.a, c.b, c.c, c.d);
    EXPECT_NEAR(r.estimate / c.est, 1.0, 1e-12);
    EXPECT_NEAR(r.interval.low / c.low, 1.0, 1e-9);
    EXPECT_NEAR(r.interval.high / c.high, 1.0, 1e-9);
    EXPECT_FALSE(r.corrected);
  }
}

TEST(WoolfOddsRatio, HaldaneCorrectionWhenACellIsZero) {
  // (0.5 * 10.5) / (5.5 * 10.5) = 1/11; interval from mpmath.
  OddsRatio r = WoolfOddsRatio(0, 5, 10, 10);
  EXPECT_TRUE(r.corrected);
  EXPECT_NEAR(r.estimate, 1.0 / 11.0, 1e-12);
  EXPECT_NEAR(r.interval.low / 0.00444186190791541, 1.0, 1e-9);
  EXPECT_NEAR(r.interval.high / 1.86058526384849, 1.0, 1e-9);
  OddsRatio empty = WoolfOddsRatio(0, 0, 4, 5);
  EXPECT_EQ(empty.estimate, 1.0);
  EXPECT_TRUE(std::isinf(empty.interval.high));
}

TEST(BenjaminiHochberg, ByHand) {
  // Sorted: .005 .01 .03 .04 .5 (m = 5) -> p·5/rank: .025 .025 .05 .05 .5; running minimum from
  // the largest: .5 .05 .05 .025 .025.
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005, 0.5};
  const std::vector<double> q = BenjaminiHochberg(p);
  const std::vector<double> want = {0.025, 0.05, 0.05, 0.025, 0.5};
  ASSERT_EQ(q.size(), want.size());
  for (size_t i = 0; i < q.size(); ++i) EXPECT_NEAR(q[i], want[i], 1e-15) << i;
  // A later smaller adjusted value pulls earlier ones down: .04·3/2 = .06 > .04·3/3 = .04.
  const std::vector<double> q2 = BenjaminiHochberg(std::vector<double>{0.04, 0.04, 0.04});
  for (double v : q2) EXPECT_NEAR(v, 0.04, 1e-15);
  EXPECT_TRUE(BenjaminiHochberg(std::vector<double>{}).empty());
}

TEST(RankDrivers, MinimumCountRuleAndOrder) {
  auto make = [](const char* event, uint64_t cw, uint64_t dw, uint64_t cwo, uint64_t dwo) {
    StepDriver d;
    d.kind = "event";
    d.event = event;
    d.converted_with = cw;
    d.dropped_with = dw;
    d.converted_without = cwo;
    d.dropped_without = dwo;
    return d;
  };
  std::vector<StepDriver> in = {
      make("null", 100, 100, 400, 400),   // OR 1
      make("strong", 150, 50, 350, 450),  // OR 3.86
      make("rare", 10, 5, 490, 495),      // 15 people with it: under the rule
      make("negative", 30, 170, 470, 330),
  };
  StepDriversReport r;
  RankDrivers(in, 30, 0.05, 50, &r);
  EXPECT_EQ(r.tested, 3u);
  EXPECT_EQ(r.significant, 2u);
  ASSERT_EQ(r.drivers.size(), 3u);
  EXPECT_TRUE(r.drivers[0].significant);
  EXPECT_TRUE(r.drivers[1].significant);
  EXPECT_EQ(r.drivers[2].event, "null");
  EXPECT_FALSE(r.drivers[2].significant);
  EXPECT_NEAR(r.drivers[2].odds_ratio, 1.0, 1e-12);
  for (const StepDriver& d : r.drivers) {
    EXPECT_GE(d.q_value, d.p_value);
    if (d.event == "strong") {
      EXPECT_NEAR(d.rate_with, 0.75, 1e-12);
      EXPECT_NEAR(d.rate_without, 350.0 / 800.0, 1e-12);
      EXPECT_NEAR(d.odds_ratio, 150.0 * 450.0 / (50.0 * 350.0), 1e-12);
      EXPECT_LT(d.difference_interval.low, d.difference);
      EXPECT_GT(d.difference_interval.high, d.difference);
    }
  }
  StepDriversReport top1;
  RankDrivers(in, 30, 0.05, 1, &top1);
  EXPECT_EQ(top1.drivers.size(), 1u);
  EXPECT_EQ(top1.tested, 3u);
}

}  // namespace
}  // namespace signpost::experiments
