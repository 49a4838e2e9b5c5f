#include "api/routes.h"

namespace signpost::api {

void AddDeliveryRoutes(httplib::Server& svr, Engine& eng) {}

}  // namespace signpost::api
