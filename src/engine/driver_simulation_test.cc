// The seeded proof of step drivers on a few seeds (bench/drivers_bench runs many): the planted
// drivers — a plan that triples conversion, a message that adds 5 points in the trial segment —
// are found with their true effect inside both intervals, and the 50 null events and 5 null
// colours stay under the false-discovery rate.
#include "engine/driver_simulation.h"

#include <gtest/gtest.h>

namespace signpost::engine {
namespace {

TEST(DriverSimulation, FindsPlantedDriversWithTheirTrueEffect) {
  uint64_t null_discoveries = 0, discoveries = 0, nulls = 0;
  int pro_covered = 0, message_covered = 0;
  for (uint64_t seed : {1, 2, 3}) {
    DriverSimulationOptions o;
    o.seed = seed;
    const DriverSimulationResult r = SimulateDrivers(o);
    SCOPED_TRACE(seed);
    EXPECT_EQ(r.all.reached, o.people);
    EXPECT_TRUE(r.pro_found);
    EXPECT_TRUE(r.message_found);
    pro_covered += r.pro_covered ? 1 : 0;
    message_covered += r.message_covered ? 1 : 0;
    EXPECT_NEAR(r.message.difference, 0.05, 0.03);
    null_discoveries += r.null_discoveries;
    discoveries += r.discoveries;
    nulls += r.null_tested;
  }
  // Each check is two 95% intervals (odds ratio and difference), so one seed in ten or so misses:
  // seed 1's pro odds-ratio interval is [3.72, 4.39] around a true 3.69. The bench measures the
  // coverage over 200 seeds.
  EXPECT_GE(pro_covered, 2);
  EXPECT_GE(message_covered, 2);
  // 105 null candidates a seed (50 events and 5 colours over everyone, 50 events in the segment);
  // with BH at 5% and about 6 true discoveries a seed, the expected false discoveries are ~0.3 a
  // seed. These seeds give:
  EXPECT_EQ(nulls, 3u * 105u);
  EXPECT_LE(null_discoveries, 2u);
  EXPECT_GE(discoveries, 3u * 4u);
}

TEST(DriverSimulation, EqualSeedsGiveEqualReports) {
  DriverSimulationOptions o;
  o.people = 3000;
  o.seed = 7;
  const DriverSimulationResult a = SimulateDrivers(o), b = SimulateDrivers(o);
  ASSERT_EQ(a.all.drivers.size(), b.all.drivers.size());
  for (size_t i = 0; i < a.all.drivers.size(); ++i) {
    EXPECT_EQ(a.all.drivers[i].value, b.all.drivers[i].value);
    EXPECT_EQ(a.all.drivers[i].p_value, b.all.drivers[i].p_value);
  }
}

}  // namespace
}  // namespace signpost::engine
