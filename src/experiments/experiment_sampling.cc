#include "experiments/experiment_sampling.h"

#include <algorithm>
#include <cmath>

namespace signpost::experiments {

double UniformUnit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double StandardNormal(std::mt19937_64& rng) {
  for (;;) {
    const double u = 2 * UniformUnit(rng) - 1;
    const double v = 2 * UniformUnit(rng) - 1;
    const double s = u * u + v * v;
    if (s > 0 && s < 1) return u * std::sqrt(-2 * std::log(s) / s);
  }
}

double GammaDraw(double shape, std::mt19937_64& rng) {
  if (shape < 1) {
    const double boost = std::pow(1 - UniformUnit(rng), 1 / shape);  // U in (0, 1]
    return GammaDraw(shape + 1, rng) * boost;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x, v;
    do {
      x = StandardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = 1 - UniformUnit(rng);  // (0, 1]
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}

double BetaDraw(double a, double b, std::mt19937_64& rng) {
  const double x = GammaDraw(a, rng);
  const double y = GammaDraw(b, rng);
  return x / (x + y);
}

uint64_t BinomialDraw(uint64_t n, double p, std::mt19937_64& rng) {
  if (n <= 4096) {
    uint64_t k = 0;
    for (uint64_t i = 0; i < n; ++i) k += UniformUnit(rng) < p ? 1 : 0;
    return k;
  }
  const double nn = static_cast<double>(n);
  const double draw = std::round(nn * p + std::sqrt(nn * p * (1 - p)) * StandardNormal(rng));
  return static_cast<uint64_t>(std::clamp(draw, 0.0, nn));
}

}  // namespace signpost::experiments
