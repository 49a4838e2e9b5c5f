// The pieces route files share: the admin-token guard, JSON replies, query parameters as JSON, and
// one registration function per area. Each area's routes live in their own routes_<area>.cc.
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "signpost/engine.h"

namespace signpost::api {

// A handler of an admin route: the request in, the JSON document (or the error) out.
using AdminHandler = std::function<Result<nlohmann::json>(const httplib::Request&)>;

// Wraps `handler` so it runs only for requests with a live admin token (Bearer header or `token`
// query parameter); answers 401 otherwise, and turns a non-ok Result into its HTTP error reply.
httplib::Server::Handler Admin(Engine& eng, AdminHandler handler);

// Writes `body` as the JSON reply with HTTP status `status`.
void Reply(httplib::Response& res, int status, const nlohmann::json& body);
// Writes the JSON error reply of `s` ({"success":false,"error":{"code","message"}}).
void ReplyError(httplib::Response& res, const Status& s);
// Query parameters as a JSON object of strings; the engine converts numbers.
nlohmann::json QueryJson(const httplib::Request& req);

// Registration, one per area (each in routes_<area>.cc).
void AddSegmentRoutes(httplib::Server& svr, Engine& eng);   // rule segments, membership
void AddDeliveryRoutes(httplib::Server& svr, Engine& eng);  // tracking pixel and links, outbox
void AddJourneyRoutes(httplib::Server& svr, Engine& eng);   // journeys, replay, goals, clock
void AddExperimentRoutes(httplib::Server& svr, Engine& eng);  // splits, holdout lift, money

}  // namespace signpost::api
