// The event catalog and schema drift: GET /api/catalog (?search=, ?hours=) and
// GET /api/catalog/drift (Engine::EventCatalog, Engine::SchemaDrift).
#include "api/routes_catalog.h"

#include "api/routes.h"
#include "signpost/event_catalog.h"
#include "wire/event_catalog_json.h"

namespace signpost::api {

void AddCatalogRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/catalog", [&eng](const Request& req) -> Result<nlohmann::json> {
    SP_ASSIGN_OR_RETURN(CatalogQuery query, wire::ParseCatalogQuery(QueryJson(req)));
    SP_ASSIGN_OR_RETURN(EventCatalogReport report, eng.EventCatalog(query));
    return wire::ToJson(report);
  });
  AddAdmin(r, "GET", "/api/catalog/drift", [&eng](const Request&) -> Result<nlohmann::json> {
    SP_ASSIGN_OR_RETURN(DriftReport report, eng.SchemaDrift());
    return wire::ToJson(report);
  });
}

}  // namespace signpost::api
