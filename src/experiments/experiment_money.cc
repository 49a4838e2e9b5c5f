#include "experiments/experiment_money.h"

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>

namespace signpost::experiments {
namespace {

// Neumaier's compensated running sum.
class CompensatedSum {
 public:
  void Add(double x) {
    const double t = sum_ + x;
    compensation_ += std::fabs(sum_) >= std::fabs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
  }
  double Value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0, compensation_ = 0;
};

}  // namespace

Result<CostReport> CostPerProgressed(const std::vector<ChannelMessages>& messages,
                                     const std::map<std::string, double, std::less<>>& costs,
                                     uint64_t progressed) {
  CompensatedSum total;
  for (const ChannelMessages& m : messages) {
    if (m.messages == 0) continue;
    auto it = costs.find(m.channel);
    if (it == costs.end()) {
      return Status::InvalidArgument(
          fmt::format("costs.{}: no cost per message for channel '{}'; add one (0 if it is free)",
                      m.channel, m.channel));
    }
    if (!std::isfinite(it->second) || it->second < 0) {
      return Status::InvalidArgument(fmt::format(
          "costs.{}: cost per message must be a number >= 0, got {}", m.channel, it->second));
    }
    total.Add(static_cast<double>(m.messages) * it->second);
  }
  CostReport report;
  report.total_cost = total.Value();
  report.progressed = progressed;
  if (progressed > 0)
    report.cost_per_progressed = report.total_cost / static_cast<double>(progressed);
  return report;
}

double SumRevenue(const std::vector<double>& amounts) {
  CompensatedSum sum;
  for (double a : amounts) sum.Add(a);
  return sum.Value();
}

std::vector<GroupRevenue> RevenueByGroup(const std::vector<ProfileRevenue>& profiles) {
  std::vector<GroupRevenue> groups;
  std::vector<CompensatedSum> sums, lifetimes;
  std::unordered_map<std::string, size_t> index;
  for (const ProfileRevenue& p : profiles) {
    auto [it, inserted] = index.try_emplace(p.group, groups.size());
    if (inserted) {
      groups.push_back({p.group, 0, 0, 0, 0, 0});
      sums.emplace_back();
      lifetimes.emplace_back();
    }
    ++groups[it->second].profiles;
    sums[it->second].Add(p.revenue);
    lifetimes[it->second].Add(p.lifetime);
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    const double n = static_cast<double>(groups[i].profiles);
    groups[i].revenue = sums[i].Value();
    groups[i].per_profile = groups[i].revenue / n;
    groups[i].lifetime = lifetimes[i].Value();
    groups[i].ltv = groups[i].lifetime / n;
  }
  return groups;
}

}  // namespace signpost::experiments
