// Random draws for the experiment statistics and the channel bandit, written out here (not
// std::*_distribution, whose algorithms differ between standard libraries) so that a seeded
// std::mt19937_64 — itself fully specified by the standard — gives the same draws on every
// machine. Thread-safety: each function mutates only the generator it is given.
#pragma once

#include <random>

namespace signpost::experiments {

// A uniform double in [0, 1) from the top 53 bits of one draw.
double UniformUnit(std::mt19937_64& rng);
// A standard normal draw (Marsaglia's polar method).
double StandardNormal(std::mt19937_64& rng);
// A Gamma(shape, 1) draw, shape > 0 (Marsaglia and Tsang 2000; shape < 1 by the boost
// Gamma(shape + 1) · U^(1/shape)).
double GammaDraw(double shape, std::mt19937_64& rng);
// A Beta(a, b) draw, a, b > 0, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
double BetaDraw(double a, double b, std::mt19937_64& rng);
// A Binomial(n, p) draw, for simulations: exact (n Bernoulli trials) for n <= 4096, else the
// normal approximation rounded and clamped to [0, n] (fine when n·p(1-p) is in the hundreds).
uint64_t BinomialDraw(uint64_t n, double p, std::mt19937_64& rng);

}  // namespace signpost::experiments
