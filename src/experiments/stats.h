// Interval estimates for proportions and their comparison, shared by the experiment, bandit,
// holdout and goal reports. Pure functions of counts: no state, safe from any thread.
#pragma once

#include <cstdint>

#include "signpost/reports.h"

namespace signpost::experiments::stats {

// A two-sided confidence interval [low, high] (signpost/reports.h).
using Interval = ::signpost::RateInterval;

// The inverse of the standard normal CDF: the z with P(Z <= z) = p. Returns -inf at p = 0, +inf at
// p = 1 and NaN outside [0, 1]. Accurate to about 1e-15 (Acklam's rational approximation refined
// by one Halley step on erfc).
double NormalQuantile(double p);

// Wilson score interval (no continuity correction) for the proportion k/n at `level` (e.g. 0.95).
// n == 0 → {0, 1}. k > n is a programmer error; it is clamped to n.
Interval Wilson(uint64_t k, uint64_t n, double level = 0.95);

// Interval for the difference p1 - p2 of two independent proportions (p_i = k_i/n_i) by Newcombe
// (1998) method 10: the hybrid of the two Wilson score intervals. Always within [-1, 1]. A side
// with n == 0 has p = 0 and Wilson interval {0, 1}, so the result is wide but defined.
Interval NewcombeDifference(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                            double level = 0.95);

// Interval for the relative lift p1/p2 - 1 by the Katz log method: ln(p1/p2) ± z·sqrt(1/k1 - 1/n1
// + 1/k2 - 1/n2). When k1 or k2 is 0 every count gets +0.5 (the usual Haldane correction: k+0.5
// over n+0.5) so the interval stays defined. n1 == 0 or n2 == 0 → {-1, +inf} (nothing known).
Interval RelativeLift(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double level = 0.95);

}  // namespace signpost::experiments::stats
