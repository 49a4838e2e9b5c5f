// Routes: journeys (list, one with step analytics, lifecycle), goal reports, replay, and the people
// stuck at a funnel step (what a step segment would hold now).
#include "api/routes.h"
#include "wire/step_json.h"
#include "wire/wire.h"

namespace signpost::api {

using nlohmann::json;

void AddJourneyRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/journeys", [&eng](const Request&) -> Result<json> {
    SP_ASSIGN_OR_RETURN(JourneyList list, eng.Journeys());
    return wire::ToJson(list);
  });
  AddAdmin(r, "GET", "/api/journeys/{id}", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(JourneyView journey, eng.Journey(req.captures[0]));
    return wire::ToJson(journey);
  });
  AddAdmin(r, "POST", "/api/journeys/{id}/state", [&eng](const Request& req) -> Result<json> {
    constexpr std::string_view kHint =
        "state: send {\"state\": \"live\"} or {\"state\": \"stopped\"}";
    SP_ASSIGN_OR_RETURN(json body, ParseJsonObject(req.body, kHint));
    if (!body.contains("state") || !body["state"].is_string())
      return Status::InvalidArgument(std::string(kHint));
    SP_ASSIGN_OR_RETURN(JourneyStateChange change,
                        eng.SetJourneyState(req.captures[0], body["state"].get<std::string>()));
    return wire::ToJson(change);
  });
  AddAdmin(r, "GET", "/api/journeys/{id}/goal", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(GoalReportQuery query, wire::ParseGoalReportQuery(QueryJson(req)));
    SP_ASSIGN_OR_RETURN(GoalReport report, eng.GoalReport(req.captures[0], query));
    return wire::ToJson(report);
  });
  AddAdmin(r, "GET", "/api/journeys/{id}/goal/people", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(GoalReportQuery query, wire::ParseGoalReportQuery(QueryJson(req)));
    SP_ASSIGN_OR_RETURN(GoalPeople people, eng.GoalPeople(req.captures[0], query));
    return wire::ToJson(people);
  });
  AddAdmin(r, "POST", "/api/replay", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(
        json body, ParseJsonObject(req.body, "body: send {\"journey\", \"from\", \"to\"} as JSON"));
    // A what-if names two versions; a programme names journeys (or all); else one journey.
    if (body.contains("versions")) {
      SP_ASSIGN_OR_RETURN(ReplayComparisonRequest request,
                          wire::ParseReplayComparisonRequest(body));
      SP_ASSIGN_OR_RETURN(ReplayComparison comparison, eng.CompareReplays(request));
      return wire::ToJson(comparison);
    }
    if (body.contains("journeys") || body.contains("all")) {
      SP_ASSIGN_OR_RETURN(ProgrammeReplayRequest request, wire::ParseProgrammeReplayRequest(body));
      SP_ASSIGN_OR_RETURN(ProgrammeReplayReport report, eng.ReplayProgramme(request));
      return wire::ToJson(report);
    }
    SP_ASSIGN_OR_RETURN(ReplayRequest request, wire::ParseReplayRequest(body));
    SP_ASSIGN_OR_RETURN(ReplayReport report, eng.Replay(request));
    return wire::ToJson(report);
  });
  AddAdmin(r, "GET", "/api/funnels/{id}/stuck", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(FunnelStuckQuery query,
                        wire::ParseFunnelStuckQuery(req.captures[0], QueryJson(req)));
    SP_ASSIGN_OR_RETURN(FunnelStuck stuck, eng.FunnelStuck(query));
    return wire::ToJson(stuck);
  });
}

}  // namespace signpost::api
