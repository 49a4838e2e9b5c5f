#include "experiments/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace signpost::experiments::stats {
namespace {

// The two-sided critical value for a confidence `level`: z with P(|Z| <= z) = level.
double CriticalValue(double level) { return NormalQuantile(0.5 + level / 2.0); }

// Acklam's rational approximation of the normal quantile (relative error < 1.15e-9).
double AcklamQuantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - kLow) {
    const double q = std::sqrt(-2 * std::log1p(-p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  double x = AcklamQuantile(p);
  // One Halley step on Phi(x) - p, with Phi from erfc (accurate in both tails).
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  x = x - u / (1 + x * u / 2);
  return x;
}

Interval Wilson(uint64_t k, uint64_t n, double level) {
  if (n == 0) return {0, 1};
  k = std::min(k, n);
  const double z = CriticalValue(level);
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denominator = 1 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denominator;
  const double half = z / denominator * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  // The exact bounds at k = 0 and k = n are 0 and 1; rounding must not move them.
  return {k == 0 ? 0.0 : std::max(0.0, center - half), k == n ? 1.0 : std::min(1.0, center + half)};
}

Interval NewcombeDifference(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double level) {
  k1 = std::min(k1, n1);
  k2 = std::min(k2, n2);
  const double p1 = n1 == 0 ? 0.0 : static_cast<double>(k1) / static_cast<double>(n1);
  const double p2 = n2 == 0 ? 0.0 : static_cast<double>(k2) / static_cast<double>(n2);
  const Interval w1 = Wilson(k1, n1, level);
  const Interval w2 = Wilson(k2, n2, level);
  const double difference = p1 - p2;
  const double below = std::sqrt((p1 - w1.low) * (p1 - w1.low) + (w2.high - p2) * (w2.high - p2));
  const double above = std::sqrt((w1.high - p1) * (w1.high - p1) + (p2 - w2.low) * (p2 - w2.low));
  return {std::max(-1.0, difference - below), std::min(1.0, difference + above)};
}

Interval RelativeLift(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double level) {
  if (n1 == 0 || n2 == 0) return {-1, std::numeric_limits<double>::infinity()};
  k1 = std::min(k1, n1);
  k2 = std::min(k2, n2);
  double x1 = static_cast<double>(k1), m1 = static_cast<double>(n1);
  double x2 = static_cast<double>(k2), m2 = static_cast<double>(n2);
  if (k1 == 0 || k2 == 0) {
    x1 += 0.5, m1 += 0.5, x2 += 0.5, m2 += 0.5;
  }
  const double log_ratio = std::log((x1 / m1) / (x2 / m2));
  const double se = std::sqrt(1 / x1 - 1 / m1 + 1 / x2 - 1 / m2);
  const double z = CriticalValue(level);
  return {std::exp(log_ratio - z * se) - 1, std::exp(log_ratio + z * se) - 1};
}

}  // namespace signpost::experiments::stats
