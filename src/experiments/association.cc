#include "experiments/association.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>

namespace signpost::experiments {

namespace {

double LogChoose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

// The hypergeometric law of cell a given the margins: P(X = x) for x in [lo, hi].
struct Hypergeometric {
  double r1, r2, c1;  // row sums and the first column's sum
  int64_t lo, hi;
  double log_norm;
  Hypergeometric(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
      : r1(static_cast<double>(a + b)),
        r2(static_cast<double>(c + d)),
        c1(static_cast<double>(a + c)),
        lo(std::max<int64_t>(0, static_cast<int64_t>(a + c) - static_cast<int64_t>(c + d))),
        hi(static_cast<int64_t>(std::min(a + b, a + c))),
        log_norm(LogChoose(static_cast<double>(a + b + c + d), static_cast<double>(a + c))) {}
  double LogP(int64_t x) const {
    const double xd = static_cast<double>(x);
    return LogChoose(r1, xd) + LogChoose(r2, c1 - xd) - log_norm;
  }
  // p(x - 1) / p(x) and p(x + 1) / p(x).
  double Down(int64_t x) const {
    const double xd = static_cast<double>(x);
    return xd * (r2 - c1 + xd) / ((r1 - xd + 1) * (c1 - xd + 1));
  }
  double Up(int64_t x) const {
    const double xd = static_cast<double>(x);
    return (r1 - xd) * (c1 - xd) / ((xd + 1) * (r2 - c1 + xd + 1));
  }
};

// Sum of p(x) / p(from) for x from `from` outwards (step -1 or +1) to the end of the support,
// stopping once the terms no longer change the sum.
double TailSum(const Hypergeometric& h, int64_t from, int step) {
  double term = 1, sum = 0;
  for (int64_t x = from;; x += step) {
    sum += term;
    if (term < sum * 1e-17) break;
    if (step < 0 ? x <= h.lo : x >= h.hi) break;
    term *= step < 0 ? h.Down(x) : h.Up(x);
  }
  return sum;
}

}  // namespace

OddsRatio WoolfOddsRatio(uint64_t a, uint64_t b, uint64_t c, uint64_t d, double level) {
  OddsRatio out;
  if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0) {
    out.estimate = 1;
    out.interval = {0, std::numeric_limits<double>::infinity()};
    return out;
  }
  double x[4] = {static_cast<double>(a), static_cast<double>(b), static_cast<double>(c),
                 static_cast<double>(d)};
  if (a == 0 || b == 0 || c == 0 || d == 0) {
    for (double& v : x) v += 0.5;
    out.corrected = true;
  }
  const double log_or = std::log(x[0]) + std::log(x[3]) - std::log(x[1]) - std::log(x[2]);
  const double se = std::sqrt(1 / x[0] + 1 / x[1] + 1 / x[2] + 1 / x[3]);
  const double z = stats::NormalQuantile(0.5 + level / 2);
  out.estimate = std::exp(log_or);
  out.interval = {std::exp(log_or - z * se), std::exp(log_or + z * se)};
  return out;
}

double FisherExactTwoSided(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0) return 1;
  const Hypergeometric h(a, b, c, d);
  const double n = static_cast<double>(a + b + c + d);
  int64_t mode = static_cast<int64_t>(std::floor((h.r1 + 1) * (h.c1 + 1) / (n + 2)));
  mode = std::clamp(mode, h.lo, h.hi);
  const double threshold = h.LogP(static_cast<int64_t>(a)) + std::log1p(1e-7);
  if (h.LogP(mode) <= threshold) return 1;
  // Left of the mode p rises, right of it p falls: the tables no more probable than the observed
  // one are [lo, left] and [right, hi].
  double p = 0;
  if (h.LogP(h.lo) <= threshold) {
    int64_t low = h.lo, high = mode;  // LogP(low) <= threshold < LogP(high)
    while (high - low > 1) {
      const int64_t mid = low + (high - low) / 2;
      (h.LogP(mid) <= threshold ? low : high) = mid;
    }
    p += std::exp(h.LogP(low)) * TailSum(h, low, -1);
  }
  if (h.LogP(h.hi) <= threshold) {
    int64_t low = mode, high = h.hi;  // LogP(low) > threshold >= LogP(high)
    while (high - low > 1) {
      const int64_t mid = low + (high - low) / 2;
      (h.LogP(mid) <= threshold ? high : low) = mid;
    }
    p += std::exp(h.LogP(high)) * TailSum(h, high, +1);
  }
  return std::min(1.0, p);
}

std::vector<double> BenjaminiHochberg(std::span<const double> p_values) {
  const size_t m = p_values.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return p_values[x] < p_values[y]; });
  std::vector<double> q(m, 1.0);
  double running = 1.0;
  for (size_t i = m; i-- > 0;) {
    const double adjusted =
        p_values[order[i]] * static_cast<double>(m) / static_cast<double>(i + 1);
    running = std::min(running, adjusted);
    q[order[i]] = std::min(1.0, running);
  }
  return q;
}

void AssessDriver(StepDriver* d) {
  const uint64_t n_with = d->converted_with + d->dropped_with;
  const uint64_t n_without = d->converted_without + d->dropped_without;
  auto rate = [](uint64_t k, uint64_t n) {
    return n == 0 ? 0.0 : static_cast<double>(k) / static_cast<double>(n);
  };
  d->rate_with = rate(d->converted_with, n_with);
  d->rate_without = rate(d->converted_without, n_without);
  d->difference = d->rate_with - d->rate_without;
  d->difference_interval =
      stats::NewcombeDifference(d->converted_with, n_with, d->converted_without, n_without);
  const OddsRatio odds =
      WoolfOddsRatio(d->converted_with, d->dropped_with, d->converted_without, d->dropped_without);
  d->odds_ratio = odds.estimate;
  d->odds_ratio_interval = odds.interval;
  d->p_value = FisherExactTwoSided(d->converted_with, d->dropped_with, d->converted_without,
                                   d->dropped_without);
}

void RankDrivers(std::vector<StepDriver> candidates, uint64_t min_count, double fdr, int top,
                 StepDriversReport* report) {
  std::vector<StepDriver> tested;
  for (StepDriver& d : candidates) {
    if (d.converted_with + d.dropped_with < min_count ||
        d.converted_without + d.dropped_without < min_count)
      continue;
    AssessDriver(&d);
    tested.push_back(std::move(d));
  }
  std::vector<double> p(tested.size());
  for (size_t i = 0; i < tested.size(); ++i) p[i] = tested[i].p_value;
  const std::vector<double> q = BenjaminiHochberg(p);
  uint64_t significant = 0;
  for (size_t i = 0; i < tested.size(); ++i) {
    tested[i].q_value = q[i];
    tested[i].significant = q[i] <= fdr;
    significant += tested[i].significant ? 1 : 0;
  }
  std::sort(tested.begin(), tested.end(), [](const StepDriver& x, const StepDriver& y) {
    if (x.significant != y.significant) return x.significant;
    if (x.q_value != y.q_value) return x.q_value < y.q_value;
    const double ex = std::abs(std::log(x.odds_ratio)), ey = std::abs(std::log(y.odds_ratio));
    if (ex != ey) return ex > ey;
    return std::tie(x.kind, x.event, x.path, x.value) < std::tie(y.kind, y.event, y.path, y.value);
  });
  report->tested = tested.size();
  report->significant = significant;
  if (top >= 0 && tested.size() > static_cast<size_t>(top)) tested.resize(static_cast<size_t>(top));
  report->drivers = std::move(tested);
}

}  // namespace signpost::experiments
