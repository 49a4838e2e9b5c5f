// Money figures for journey reports: the cost of the messages behind each progressed profile, and
// revenue and lifetime value per group of profiles (e.g. by the last goal step they completed).
// Amounts are plain doubles in the workspace's currency unit. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "signpost/reports.h"
#include "signpost/status.h"

namespace signpost::experiments {

// Messages sent on one channel.
struct ChannelMessages {
  std::string channel;
  uint64_t messages = 0;
};

// Cost per progressed profile (signpost/reports.h).
using CostReport = ::signpost::MoneyCost;

// Cost per progressed profile. kInvalidArgument naming `costs.<channel>` when a channel with
// messages has no cost, or a cost is negative or not finite.
Result<CostReport> CostPerProgressed(const std::vector<ChannelMessages>& messages,
                                     const std::map<std::string, double, std::less<>>& costs,
                                     uint64_t progressed);

// The sum of revenue amounts, compensated (Neumaier) so that millions of small amounts do not lose
// cents to rounding.
double SumRevenue(const std::vector<double>& amounts);

// One profile's money and the group it falls in. The caller decides what the amounts are (the
// journey money report: `revenue` = the revenue of the goal hit the profile was credited with,
// `lifetime` = the revenue of all its goal events since it entered).
struct ProfileRevenue {
  std::string group;
  double revenue = 0;
  double lifetime = 0;
};

// Revenue of one group (signpost/reports.h).
using GroupRevenue = ::signpost::RevenueGroup;

// Revenue and LTV per group, groups in order of first appearance. A profile with no revenue still
// counts (with 0), so the per-profile figures are per profile of the group, not per buyer.
std::vector<GroupRevenue> RevenueByGroup(const std::vector<ProfileRevenue>& profiles);

}  // namespace signpost::experiments
