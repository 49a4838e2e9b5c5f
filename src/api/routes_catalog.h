// The event catalog's routes (routes_catalog.cc): a header of its own while routes.h is shared.
#pragma once

#include "api/router.h"
#include "signpost/engine.h"

namespace signpost::api {

// GET /api/catalog (?search=, ?hours=) and GET /api/catalog/drift, admin token required.
void AddCatalogRoutes(Router& router, Engine& eng);

}  // namespace signpost::api
