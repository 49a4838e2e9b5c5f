// Routes: journeys (list, one with step analytics, lifecycle), goal reports, replay.
#include "api/routes.h"

namespace signpost::api {

using nlohmann::json;

void AddJourneyRoutes(httplib::Server& svr, Engine& eng) {
  svr.Get("/api/journeys", Admin(eng, [&eng](const httplib::Request&) { return eng.Journeys(); }));
  svr.Get(R"(/api/journeys/([^/]+))", Admin(eng, [&eng](const httplib::Request& req) {
            return eng.Journey(req.matches[1].str());
          }));
  svr.Post(R"(/api/journeys/([^/]+)/state)", Admin(eng, [&eng](const httplib::Request& req) -> Result<json> {
             json body = json::parse(req.body, nullptr, false);
             if (!body.is_object() || !body.contains("state") || !body["state"].is_string())
               return Status::InvalidArgument("state: send {\"state\": \"live\"} or {\"state\": \"stopped\"}");
             return eng.SetJourneyState(req.matches[1].str(), body["state"].get<std::string>());
           }));
  svr.Get(R"(/api/journeys/([^/]+)/goal)", Admin(eng, [&eng](const httplib::Request& req) {
            return eng.GoalReport(req.matches[1].str(), QueryJson(req));
          }));
  svr.Get(R"(/api/journeys/([^/]+)/goal/people)", Admin(eng, [&eng](const httplib::Request& req) {
            return eng.GoalPeople(req.matches[1].str(), QueryJson(req));
          }));
  svr.Post("/api/replay", Admin(eng, [&eng](const httplib::Request& req) -> Result<json> {
             json body = json::parse(req.body, nullptr, false);
             if (!body.is_object())
               return Status::InvalidArgument("body: send {\"journey\", \"from\", \"to\"} as JSON");
             return eng.Replay(body);
           }));
}

}  // namespace signpost::api
