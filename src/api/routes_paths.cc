// Routes: multi-path reporting of a stored funnel (GET, query parameters) or of an ad-hoc one
// (POST, the query as the body, as /api/funnels/query takes it).
#include "api/routes.h"
#include "wire/paths.h"

namespace signpost::api {

using nlohmann::json;

void AddPathRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/funnels/{id}/paths", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(FunnelPathsQuery query,
                        wire::ParseFunnelPathsQuery(req.captures[0], QueryJson(req)));
    SP_ASSIGN_OR_RETURN(FunnelPathsReport report, eng.FunnelPaths(query));
    return wire::ToJson(report);
  });
  AddAdmin(r, "POST", "/api/funnels/paths", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(json q, ParseJsonObject(req.body,
                                                "body: expected a JSON object with the funnel "
                                                "query and the step"));
    SP_ASSIGN_OR_RETURN(FunnelPathsQuery query, wire::ParseFunnelPathsQuery("", q));
    SP_ASSIGN_OR_RETURN(FunnelPathsReport report, eng.FunnelPaths(query));
    return wire::ToJson(report);
  });
}

}  // namespace signpost::api
