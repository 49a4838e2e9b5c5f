// The admin route of a person's export (an access or portability request): everything signpost
// holds about the person an id names, as JSON (Engine::ExportPerson, src/wire/export_json.cc).
#include "api/routes.h"
#include "wire/wire.h"

namespace signpost::api {

using nlohmann::json;

void AddExportRoutes(Router& r, Engine& eng) {
  // event_limit: 1 .. Engine::kExportEventLimitMax (default kExportEventLimit); beyond it the
  // export holds the latest ones and says so (events_truncated, events_note).
  AddAdmin(r, "GET", "/api/profiles/{id}/export", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(uint64_t limit, QueryInt(req, "event_limit", Engine::kExportEventLimit, 1,
                                                 Engine::kExportEventLimitMax));
    return wire::ToJson(eng.ExportPerson(req.captures[0], limit));
  });
}

}  // namespace signpost::api
