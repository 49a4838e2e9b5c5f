// The pieces route files share: JSON replies, query parameters as JSON, the admin route helper,
// and one registration function per area. Each area's routes live in their own routes_<area>.cc.
// Credentials are checked by the server before a handler runs (router.h `Access`).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>

#include "api/http_request.h"
#include "api/request_limits.h"
#include "api/router.h"
#include "signpost/engine.h"

namespace signpost::api {

// A handler of an admin route: the request in, the JSON document (or the error) out.
using AdminHandler = std::function<Result<nlohmann::json>(const Request&)>;

// Adds an admin route (admin token required): a non-ok Result becomes its HTTP error reply, an
// ok one a 200 with the document.
void AddAdmin(Router& router, std::string method, std::string_view pattern, AdminHandler handler);

// Writes `body` as the JSON reply with HTTP status `status`.
void Reply(Response& res, int status, const nlohmann::json& body);
// Writes the JSON error reply of `s` ({"success":false,"error":{"code","message"}}) with the HTTP
// status HttpStatusFor(s.code()), or `status` when given.
void ReplyError(Response& res, const Status& s, int status = 0);
// Query parameters as a JSON object of strings; the engine converts numbers.
nlohmann::json QueryJson(const Request& req);

// Registration, one per area (each in routes_<area>.cc).
void AddCoreRoutes(Router& router, Engine& eng);        // ingest, health, profiles, funnels, keys
void AddSegmentRoutes(Router& router, Engine& eng);     // rule segments, membership
void AddDeliveryRoutes(Router& router, Engine& eng);    // tracking pixel and links, outbox
void AddJourneyRoutes(Router& router, Engine& eng);     // journeys, replay, goals, clock
void AddExperimentRoutes(Router& router, Engine& eng);  // splits, holdout lift, money
void AddPrivacyRoutes(Router& router, Engine& eng);     // regulations: erase, suppress
void AddExportRoutes(Router& router, Engine& eng);      // privacy: a person's export
void AddRetentionRoutes(Router& router, Engine& eng);   // privacy: retention run
void AddInsightRoutes(Router& router, Engine& eng);     // funnel insights: step drivers
void AddPathRoutes(Router& router, Engine& eng);        // funnel paths: sequences, any_of, optional
void AddAlertRoutes(Router& router, Engine& eng);       // alerts: incidents, ack, resolve, mute
// The store as the command line's remote mode uses it: event count, dead-letter reimport, file
// uploads and their import; uploads are spooled in `upload_dir` (routes_import.cc).
void AddImportRoutes(Router& router, Engine& eng, const std::string& upload_dir);

}  // namespace signpost::api
