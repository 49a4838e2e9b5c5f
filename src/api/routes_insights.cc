// Routes: the funnel insights — step drivers and step importance of a stored funnel (GET, query
// parameters) or of an ad-hoc one (POST, the query as the body, as /api/funnels/query takes it);
// the next best action of a stored funnel's step and of one person.
#include "api/routes.h"
#include "wire/insights.h"

namespace signpost::api {

using nlohmann::json;

void AddInsightRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/funnels/{id}/drivers", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(StepDriversQuery query,
                        wire::ParseStepDriversQuery(req.captures[0], QueryJson(req)));
    SP_ASSIGN_OR_RETURN(StepDriversReport report, eng.FunnelDrivers(query));
    return wire::ToJson(report);
  });
  AddAdmin(r, "POST", "/api/funnels/drivers", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(json q, ParseJsonObject(req.body,
                                                "body: expected a JSON object with the funnel "
                                                "query and the step"));
    SP_ASSIGN_OR_RETURN(StepDriversQuery query, wire::ParseStepDriversQuery("", q));
    SP_ASSIGN_OR_RETURN(StepDriversReport report, eng.FunnelDrivers(query));
    return wire::ToJson(report);
  });
  AddAdmin(r, "GET", "/api/funnels/{id}/importance", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(StepImportanceQuery query,
                        wire::ParseStepImportanceQuery(req.captures[0], QueryJson(req)));
    SP_ASSIGN_OR_RETURN(StepImportanceReport report, eng.FunnelImportance(query));
    return wire::ToJson(report);
  });
  AddAdmin(r, "POST", "/api/funnels/importance", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(json q, ParseJsonObject(req.body,
                                                "body: expected a JSON object with the funnel "
                                                "query"));
    SP_ASSIGN_OR_RETURN(StepImportanceQuery query, wire::ParseStepImportanceQuery("", q));
    SP_ASSIGN_OR_RETURN(StepImportanceReport report, eng.FunnelImportance(query));
    return wire::ToJson(report);
  });
  // Next best action: a stored funnel's ranked table at a step, and one person's recommendation.
  AddAdmin(r, "GET", "/api/funnels/{id}/next-best-action",
           [&eng](const Request& req) -> Result<json> {
             SP_ASSIGN_OR_RETURN(NextBestActionQuery query,
                                 wire::ParseNextBestActionQuery(req.captures[0], QueryJson(req)));
             SP_ASSIGN_OR_RETURN(NextBestActionReport report, eng.FunnelNextBestAction(query));
             return wire::ToJson(report);
           });
  AddAdmin(r, "GET", "/api/profiles/{id}/next-best-action",
           [&eng](const Request& req) -> Result<json> {
             const json q = QueryJson(req);
             const std::string funnel = q.value("funnel", "");
             if (funnel.empty())
               return Status::InvalidArgument("funnel: missing; give ?funnel=<funnel id>");
             SP_ASSIGN_OR_RETURN(ProfileNextBestAction nba,
                                 eng.NextBestActionFor(req.captures[0], FunnelId(funnel)));
             return wire::ToJson(nba);
           });
}

}  // namespace signpost::api
