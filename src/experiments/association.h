// Association statistics on two-by-two tables, and the step-driver ranking built on them: the
// odds ratio with its Woolf interval, Fisher's exact test, and Benjamini-Hochberg false-discovery
// control. Pure functions of counts: no state, safe from any thread.
//
// A table is
//                 converted   dropped
//   has it            a          b
//   lacks it          c          d
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "experiments/stats.h"
#include "signpost/insights.h"

namespace signpost::experiments {

struct OddsRatio {
  double estimate = 0;       // (a·d)/(b·c)
  stats::Interval interval;  // Woolf's log interval at `level`
  bool corrected = false;    // a cell was 0: every cell got +0.5 (Haldane-Anscombe)
};

// The odds ratio (a·d)/(b·c) with Woolf's (1955) log interval
// exp(ln OR ± z·sqrt(1/a + 1/b + 1/c + 1/d)); when any cell is 0, 0.5 is added to every cell
// first (Haldane 1956, Anscombe 1956), so estimate and interval stay finite. An empty row or column
// (a+b = 0, c+d = 0, a+c = 0 or b+d = 0) tells nothing: estimate 1, interval [0, +inf).
OddsRatio WoolfOddsRatio(uint64_t a, uint64_t b, uint64_t c, uint64_t d, double level = 0.95);

// Fisher's exact test (two-sided) of independence in the table: the sum of the hypergeometric
// probabilities of every table with the same margins that is no more probable than the observed
// one (the rule of R's fisher.test, with its relative tolerance 1e-7). Cost: O(log n) to find the
// tails plus the terms summed, which shrink geometrically past a few standard deviations (tens to
// a few thousand terms at millions of people). In [0, 1]; 1 for a table with an empty margin.
double FisherExactTwoSided(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

// Benjamini-Hochberg (1995) adjusted p-values ("q values"): q_(i) = min_{j >= i} p_(j)·m/j over
// the p-values in ascending order, capped at 1, returned in the input order. Rejecting every
// hypothesis with q <= alpha controls the false-discovery rate at alpha·m0/m <= alpha for
// independent (or positively dependent, Benjamini-Yekutieli 2001) tests.
std::vector<double> BenjaminiHochberg(std::span<const double> p_values);

// The statistics of one candidate from its four counts (the StepDriver's count fields must be
// set): rates, Newcombe difference, Woolf odds ratio, Fisher p-value.
void AssessDriver(StepDriver* driver);

// Tests the candidates that pass the minimum-count rule (at least `min_count` people with it and
// `min_count` without), adjusts their p-values by Benjamini-Hochberg over the tested ones, marks
// significance at `fdr` and sorts: significant first, then by q value, then by |ln odds ratio|
// (larger first), then by kind, event, path and value. Candidates under the rule are dropped.
// Fills the report's tested and significant counts; keeps the first `top` rows.
void RankDrivers(std::vector<StepDriver> candidates, uint64_t min_count, double fdr, int top,
                 StepDriversReport* report);

}  // namespace signpost::experiments
