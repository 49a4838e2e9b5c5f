#include "api/routes.h"

namespace signpost::api {

void AddJourneyRoutes(httplib::Server& svr, Engine& eng) {}

}  // namespace signpost::api
