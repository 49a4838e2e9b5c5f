#include <fmt/format.h>
#include <xxhash.h>

#include <cmath>
#include <string>

#include "experiments/experiment.h"

namespace signpost::experiments {

Status ValidateWeights(const std::vector<double>& weights, const std::string& field) {
  if (weights.size() < 2 || weights.size() > 4) {
    return Status::InvalidArgument(
        fmt::format("{}: a split needs 2 to 4 variants, got {}; add or remove variants", field,
                    weights.size()));
  }
  double sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] <= 0) {
      return Status::InvalidArgument(
          fmt::format("{}[{}].weight: must be a number above 0, got {}; give every variant a share",
                      field, i, weights[i]));
    }
    sum += weights[i];
  }
  if (weights.size() == 2) {
    for (size_t i = 0; i < 2; ++i) {
      const double share = weights[i] / sum;
      if (share < 0.1 - 1e-9 || share > 0.9 + 1e-9) {
        return Status::InvalidArgument(fmt::format(
            "{}[{}].weight: a two-way split must give each variant 10% to 90%, this one gets "
            "{:.1f}%; use weights such as 50/50 or 90/10",
            field, i, share * 100));
      }
    }
  }
  return Status::Ok();
}

size_t AssignVariant(std::string_view profile_key, std::string_view experiment_key,
                     const std::vector<double>& weights) {
  if (weights.empty()) return 0;
  std::string key;
  key.reserve(experiment_key.size() + 1 + profile_key.size());
  key.append(experiment_key).push_back('\0');
  key.append(profile_key);
  const uint64_t hash = XXH3_64bits(key.data(), key.size());
  const double unit = static_cast<double>(hash >> 11) * 0x1.0p-53;  // [0, 1)
  double sum = 0;
  for (double w : weights) sum += w;
  double cumulative = 0;
  for (size_t i = 0; i + 1 < weights.size(); ++i) {
    cumulative += weights[i];
    if (unit * sum < cumulative) return i;
  }
  return weights.size() - 1;
}

size_t AssignVariant(ProfileId profile, std::string_view experiment_key,
                     const std::vector<double>& weights) {
  return AssignVariant(std::to_string(profile.value()), experiment_key, weights);
}

}  // namespace signpost::experiments
