// Routes: experiments — split-step reports, channel reports of `channel: auto` steps, holdout lift
// and money of a journey.
#include "api/routes.h"

namespace signpost::api {

void AddExperimentRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/experiments", [&eng](const Request&) { return eng.Experiments(); });
  AddAdmin(r, "GET", "/api/journeys/{id}/experiments/{step}",
           [&eng](const Request& req) { return eng.Experiment(req.captures[0], req.captures[1]); });
  AddAdmin(r, "GET", "/api/journeys/{id}/channels/{step}", [&eng](const Request& req) {
    return eng.ChannelReport(req.captures[0], req.captures[1]);
  });
  AddAdmin(r, "GET", "/api/journeys/{id}/lift",
           [&eng](const Request& req) { return eng.HoldoutLift(req.captures[0], QueryJson(req)); });
  AddAdmin(r, "GET", "/api/journeys/{id}/money", [&eng](const Request& req) {
    return eng.JourneyMoney(req.captures[0], QueryJson(req));
  });
}

}  // namespace signpost::api
