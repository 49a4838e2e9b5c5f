// Routes: privacy regulations, shaped like Segment's regulation API: POST /api/regulations
// carries one out (erase, suppress, unsuppress) and answers its report; GET
// /api/regulations/{id} reads a regulation's record back (counts and state, never the ids);
// DELETE /api/profiles/{id} (and /v1/profiles/{id}) erases one person.
#include <charconv>

#include "api/routes.h"
#include "wire/wire.h"

namespace signpost::api {

using nlohmann::json;

void AddPrivacyRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "POST", "/api/regulations", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(
        json body,
        ParseJsonObject(req.body,
                        "body: expected {\"regulationType\": \"DELETE\", \"subject\": {\"type\": "
                        "\"userId\", \"ids\": [...]}}"));
    SP_ASSIGN_OR_RETURN(RegulationRequest request, wire::ParseRegulationRequest(body));
    return wire::ToJson(eng.Regulate(request));
  });
  // The contract's short form (docs/CONTRACT.md §7): erase one person by any of their ids and
  // answer the regulation's report as the receipt. Admin only, under both prefixes.
  for (const char* path : {"/api/profiles/{id}", "/v1/profiles/{id}"}) {
    AddAdmin(r, "DELETE", path, [&eng](const Request& req) -> Result<json> {
      const json body = {{"regulationType", "DELETE"},
                         {"subject", {{"type", "identity"}, {"ids", {req.captures[0]}}}}};
      SP_ASSIGN_OR_RETURN(RegulationRequest request, wire::ParseRegulationRequest(body));
      return wire::ToJson(eng.Regulate(request));
    });
  }
  AddAdmin(r, "GET", "/api/regulations/{id}", [&eng](const Request& req) -> Result<json> {
    const std::string& text = req.captures[0];
    uint64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Status::InvalidArgument("id: expected the regulationId a POST /api/regulations gave");
    }
    return wire::ToJson(eng.Regulation(id));
  });
}

}  // namespace signpost::api
