#include "experiments/logistic.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace signpost::experiments {

namespace {

double Sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

double Linear(const LogisticModel& m, uint64_t features) {
  double z = m.intercept;
  for (size_t j = 0; j < m.coefficients.size(); ++j)
    if ((features >> j) & 1) z += m.coefficients[j];
  return z;
}

}  // namespace

LogisticModel FitLogistic(std::span<const BinaryPattern> patterns, int features, double l2) {
  const int d = std::clamp(features, 0, 63) + 1;  // the intercept first
  Eigen::VectorXd w = Eigen::VectorXd::Zero(d);
  LogisticModel model;
  for (int it = 0; it < 100; ++it) {
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(d);
    Eigen::MatrixXd info = Eigen::MatrixXd::Zero(d, d);  // minus the Hessian
    Eigen::VectorXd x(d);
    for (const BinaryPattern& p : patterns) {
      const double n = static_cast<double>(p.positives + p.negatives);
      if (n == 0) continue;
      x(0) = 1;
      for (int j = 1; j < d; ++j) x(j) = static_cast<double>((p.features >> (j - 1)) & 1);
      const double prob = Sigmoid(x.dot(w));
      grad += (static_cast<double>(p.positives) - n * prob) * x;
      info.noalias() += (n * prob * (1 - prob)) * x * x.transpose();
    }
    for (int j = 1; j < d; ++j) {
      grad(j) -= l2 * w(j);
      info(j, j) += l2;
    }
    info.diagonal().array() += 1e-12;  // a feature nobody has stays at 0 instead of failing
    const Eigen::VectorXd step = info.ldlt().solve(grad);
    w += step;
    model.iterations = it + 1;
    if (!step.allFinite()) break;
    if (step.cwiseAbs().maxCoeff() < 1e-9) {
      model.converged = true;
      break;
    }
  }
  model.intercept = w(0);
  model.coefficients.assign(w.data() + 1, w.data() + d);
  return model;
}

double PredictLogistic(const LogisticModel& model, uint64_t features) {
  return Sigmoid(Linear(model, features));
}

LogisticScore ScoreLogistic(const LogisticModel& model, std::span<const BinaryPattern> patterns) {
  LogisticScore s;
  uint64_t right = 0, positives = 0;
  double loss = 0;
  for (const BinaryPattern& p : patterns) {
    const double prob = PredictLogistic(model, p.features);
    s.people += p.positives + p.negatives;
    positives += p.positives;
    right += prob >= 0.5 ? p.positives : p.negatives;
    const double clamped = std::clamp(prob, 1e-15, 1 - 1e-15);
    loss -= static_cast<double>(p.positives) * std::log(clamped) +
            static_cast<double>(p.negatives) * std::log(1 - clamped);
  }
  if (s.people == 0) return s;
  const double n = static_cast<double>(s.people);
  s.accuracy = static_cast<double>(right) / n;
  s.baseline = static_cast<double>(std::max(positives, s.people - positives)) / n;
  s.log_loss = loss / n;
  return s;
}

}  // namespace signpost::experiments
