// Queries of a journey's holdout lift, money report and replay, read from JSON.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

// A required ISO 8601 time of a replay request.
Result<TimeMs> ReplayTime(const json& request, const char* key) {
  if (!request.contains(key) || !request[key].is_string())
    return Status::InvalidArgument(
        fmt::format("{}: missing; give an ISO 8601 time, e.g. 2026-10-01", key));
  auto t = ParseIso8601(request[key].get<std::string>());
  if (!t.ok()) return Status::InvalidArgument(fmt::format("{}: {}", key, t.status().message()));
  return *t;
}

}  // namespace

Result<HoldoutLiftQuery> ParseHoldoutLiftQuery(const json& query) {
  HoldoutLiftQuery out;
  out.funnel = FunnelId(TextOf(query, "funnel"));
  return out;
}

Result<MoneyQuery> ParseMoneyQuery(const json& query) {
  MoneyQuery out;
  out.funnel = FunnelId(TextOf(query, "funnel"));
  out.revenue = TextOf(query, "revenue");
  if (!query.is_object()) return out;
  for (const auto& [key, value] : query.items()) {
    if (key.rfind("cost.", 0) != 0) continue;
    std::string t = value.is_string() ? value.get<std::string>() : value.dump();
    char* end = nullptr;
    double c = std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(c) || c < 0)
      return Status::InvalidArgument(
          fmt::format("{}: '{}' is not a cost; give an amount >= 0 such as 0.002", key, t));
    out.costs[key.substr(5)] = c;
  }
  return out;
}

Result<ReplayRequest> ParseReplayRequest(const json& request) {
  ReplayRequest out;
  if (!request.contains("journey") || !request["journey"].is_string())
    return Status::InvalidArgument("journey: missing; name the journey to replay");
  out.journey = request["journey"].get<std::string>();
  SP_ASSIGN_OR_RETURN(out.from, ReplayTime(request, "from"));
  SP_ASSIGN_OR_RETURN(out.to, ReplayTime(request, "to"));
  if (out.to <= out.from) return Status::InvalidArgument("to: must be after from");
  return out;
}

}  // namespace signpost::wire
