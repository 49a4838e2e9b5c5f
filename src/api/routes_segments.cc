#include "api/routes.h"

namespace signpost::api {

void AddSegmentRoutes(httplib::Server& svr, Engine& eng) {}

}  // namespace signpost::api
