// Programme replays and what-ifs (POST /api/replay bodies with `journeys`, `all` or `versions`):
// their requests read from JSON, bounded (at most 1,000 journey ids). Fuzzed (fuzz_replay_request).
#include <fmt/format.h>

#include <string>
#include <vector>

#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

// A required ISO 8601 time of a programme replay or a comparison.
Result<TimeMs> WindowTime(const json& request, const char* key) {
  if (!request.contains(key) || !request[key].is_string())
    return Status::InvalidArgument(
        fmt::format("{}: missing; give an ISO 8601 time, e.g. 2026-10-01", key));
  auto t = ParseIso8601(request[key].get<std::string>());
  if (!t.ok()) return Status::InvalidArgument(fmt::format("{}: {}", key, t.status().message()));
  return *t;
}

// A list of journey ids (at most 1,000: a programme is a set of journeys, not a bulk list).
Result<std::vector<std::string>> JourneyIds(const json& request, const char* key) {
  std::vector<std::string> out;
  if (!request.contains(key)) return out;
  const json& list = request[key];
  if (!list.is_array() || list.size() > 1000)
    return Status::InvalidArgument(
        fmt::format("{}: expected a list of at most 1000 journey ids, e.g. [\"a\", \"b\"]", key));
  for (const json& id : list) {
    if (!id.is_string() || id.get<std::string>().empty())
      return Status::InvalidArgument(fmt::format("{}: every item must be a journey id", key));
    out.push_back(id.get<std::string>());
  }
  return out;
}

Result<bool> ReplayFlag(const json& request, const char* key) {
  if (!request.contains(key)) return false;
  if (!request[key].is_boolean())
    return Status::InvalidArgument(fmt::format("{}: expected true or false", key));
  return request[key].get<bool>();
}

}  // namespace

Result<ProgrammeReplayRequest> ParseProgrammeReplayRequest(const json& request) {
  ProgrammeReplayRequest out;
  SP_ASSIGN_OR_RETURN(out.journeys, JourneyIds(request, "journeys"));
  SP_ASSIGN_OR_RETURN(out.all, ReplayFlag(request, "all"));
  if (out.journeys.empty() && !out.all)
    return Status::InvalidArgument(
        "journeys: none to replay; name them (\"journeys\": [\"a\", \"b\"]) or replay every "
        "journey (\"all\": true)");
  SP_ASSIGN_OR_RETURN(out.from, WindowTime(request, "from"));
  SP_ASSIGN_OR_RETURN(out.to, WindowTime(request, "to"));
  if (out.to <= out.from) return Status::InvalidArgument("to: must be after from");
  return out;
}

Result<ReplayComparisonRequest> ParseReplayComparisonRequest(const json& request) {
  ReplayComparisonRequest out;
  if (!request.contains("journey") || !request["journey"].is_string())
    return Status::InvalidArgument("journey: missing; name the journey whose versions to compare");
  out.journey = request["journey"].get<std::string>();
  const json* versions = request.contains("versions") ? &request["versions"] : nullptr;
  if (versions == nullptr || !versions->is_array() || versions->size() != 2 ||
      !(*versions)[0].is_number_unsigned() || !(*versions)[1].is_number_unsigned() ||
      (*versions)[0].get<uint64_t>() == 0 || (*versions)[1].get<uint64_t>() == 0)
    return Status::InvalidArgument(
        "versions: expected the two stored versions to compare, e.g. [1, 2]");
  out.version_a = (*versions)[0].get<uint64_t>();
  out.version_b = (*versions)[1].get<uint64_t>();
  SP_ASSIGN_OR_RETURN(out.with, JourneyIds(request, "with"));
  SP_ASSIGN_OR_RETURN(out.with_all, ReplayFlag(request, "with_all"));
  SP_ASSIGN_OR_RETURN(out.from, WindowTime(request, "from"));
  SP_ASSIGN_OR_RETURN(out.to, WindowTime(request, "to"));
  if (out.to <= out.from) return Status::InvalidArgument("to: must be after from");
  return out;
}

}  // namespace signpost::wire
