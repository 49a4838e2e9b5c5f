// Privacy: retention. POST /api/retention/run removes every event older than its retention period
// now and purges the store (Engine::EnforceRetention); the reply is the retention report.
#include "api/routes.h"
#include "wire/wire.h"

namespace signpost::api {

void AddRetentionRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "POST", "/api/retention/run", [&eng](const Request&) -> Result<nlohmann::json> {
    SP_ASSIGN_OR_RETURN(RetentionReport report, eng.EnforceRetention());
    return wire::ToJson(report);
  });
}

}  // namespace signpost::api
