// Routes: experiments — split-step reports, channel reports of `channel: auto` steps, holdout lift
// and money of a journey. Typed reports from the engine, written as JSON by src/wire.
#include "api/routes.h"
#include "wire/wire.h"

namespace signpost::api {

using nlohmann::json;

void AddExperimentRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/experiments",
           [&eng](const Request&) { return wire::ToJson(eng.Experiments()); });
  AddAdmin(r, "GET", "/api/journeys/{id}/experiments/{step}", [&eng](const Request& req) {
    return wire::ToJson(eng.Experiment(req.captures[0], req.captures[1]));
  });
  AddAdmin(r, "GET", "/api/journeys/{id}/channels/{step}", [&eng](const Request& req) {
    return wire::ToJson(eng.ChannelReport(req.captures[0], req.captures[1]));
  });
  AddAdmin(r, "GET", "/api/journeys/{id}/lift", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(HoldoutLiftQuery query, wire::ParseHoldoutLiftQuery(QueryJson(req)));
    return wire::ToJson(eng.HoldoutLift(req.captures[0], query));
  });
  AddAdmin(r, "GET", "/api/journeys/{id}/money", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(MoneyQuery query, wire::ParseMoneyQuery(QueryJson(req)));
    return wire::ToJson(eng.JourneyMoney(req.captures[0], query));
  });
}

}  // namespace signpost::api
