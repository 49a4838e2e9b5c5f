// A small L2-regularised logistic regression on binary features, fitted on counts: the model of
// step importance (which milestones predict reaching the goal). People with the same features are
// one pattern with its positive and negative counts, so a fit over a million people is a fit over
// at most a few thousand patterns. Newton's method (iteratively reweighted least squares) with an
// LDLT solve (Eigen, an implementation detail: not in this header). Pure: thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace signpost::experiments {

// People sharing a feature vector: bit j of `features` is feature j.
struct BinaryPattern {
  uint64_t features = 0;
  uint64_t positives = 0, negatives = 0;
};

struct LogisticModel {
  double intercept = 0;
  std::vector<double> coefficients;  // log-odds per feature
  int iterations = 0;
  bool converged = false;
};

// Maximises sum(log-likelihood) - l2/2 * |coefficients|^2 (the intercept is not penalised) over
// `features` features (at most 63). Stops when a Newton step moves no weight by more than 1e-9, or
// after 100 steps (converged false).
LogisticModel FitLogistic(std::span<const BinaryPattern> patterns, int features, double l2);

// P(positive | features).
double PredictLogistic(const LogisticModel& model, uint64_t features);

struct LogisticScore {
  uint64_t people = 0;
  double accuracy = 0;  // predicted positive when P >= 0.5
  double baseline = 0;  // always predicting the majority class of these people
  double log_loss = 0;  // mean negative log-likelihood (natural log)
};

// The model's accuracy on `patterns` (held out from the fit).
LogisticScore ScoreLogistic(const LogisticModel& model, std::span<const BinaryPattern> patterns);

}  // namespace signpost::experiments
