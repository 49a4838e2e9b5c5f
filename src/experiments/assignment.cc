#include "experiments/assignment.h"

#include <xxhash.h>

#include <string>

namespace signpost::experiments {

uint32_t AssignmentBucket(std::string_view key, ProfileId profile) {
  std::string bytes(key);
  bytes.push_back('\0');
  const uint64_t id = profile.value();
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
  return static_cast<uint32_t>(XXH3_64bits(bytes.data(), bytes.size()) % 10000);
}

size_t AssignVariant(std::string_view key, ProfileId profile, const std::vector<double>& percents) {
  if (percents.empty()) return 0;
  const double bucket = AssignmentBucket(key, profile);
  double cumulative = 0;
  for (size_t i = 0; i < percents.size(); ++i) {
    cumulative += percents[i] * 100;
    if (bucket < cumulative) return i;
  }
  return percents.size() - 1;
}

bool InHoldout(std::string_view key, ProfileId profile, double percent) {
  return percent > 0 && static_cast<double>(AssignmentBucket(key, profile)) < percent * 100;
}

}  // namespace signpost::experiments
