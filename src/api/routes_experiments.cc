// Routes: experiments — split-step reports, channel reports of `channel: auto` steps, holdout lift
// and money of a journey.
#include "api/routes.h"

namespace signpost::api {

void AddExperimentRoutes(httplib::Server& svr, Engine& eng) {
  svr.Get("/api/experiments",
          Admin(eng, [&eng](const httplib::Request&) { return eng.Experiments(); }));
  svr.Get(R"(/api/journeys/([^/]+)/experiments/([^/]+))",
          Admin(eng, [&eng](const httplib::Request& req) {
            return eng.Experiment(req.matches[1].str(), req.matches[2].str());
          }));
  svr.Get(R"(/api/journeys/([^/]+)/channels/([^/]+))",
          Admin(eng, [&eng](const httplib::Request& req) {
            return eng.ChannelReport(req.matches[1].str(), req.matches[2].str());
          }));
  svr.Get(R"(/api/journeys/([^/]+)/lift)", Admin(eng, [&eng](const httplib::Request& req) {
            return eng.HoldoutLift(req.matches[1].str(), QueryJson(req));
          }));
  svr.Get(R"(/api/journeys/([^/]+)/money)", Admin(eng, [&eng](const httplib::Request& req) {
            return eng.JourneyMoney(req.matches[1].str(), QueryJson(req));
          }));
}

}  // namespace signpost::api
