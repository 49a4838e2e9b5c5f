// Segments over HTTP: the list of segments (static lists and rule segments), one segment with its
// members now, the segments one profile is in now, and a static list imported from ids. All need
// an admin token.
#include <fmt/format.h>

#include "api/routes.h"

namespace signpost::api {

using nlohmann::json;

void AddSegmentRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/segments", [&eng](const Request&) { return eng.ListSegments(); });
  AddAdmin(r, "GET", "/api/segments/{name}",
           [&eng](const Request& req) { return eng.Segment(SegmentId(req.captures[0])); });
  // Body {"ids": ["user:42", "anon:abc", "u-7", ...], "note": "...", "mode": "replace" | "add"}.
  AddAdmin(r, "POST", "/api/segments/{name}/members", [&eng](const Request& req) -> Result<json> {
    constexpr std::string_view kHint =
        "ids: send {\"ids\": [\"user:42\", \"anon:abc\"], \"note\": \"...\"} as JSON";
    SP_ASSIGN_OR_RETURN(json body, ParseJsonObject(req.body, kHint));
    if (!body.contains("ids") || !body["ids"].is_array())
      return Status::InvalidArgument(std::string(kHint));
    std::vector<std::string> ids;
    for (const auto& id : body["ids"]) {
      if (!id.is_string())
        return Status::InvalidArgument(
            fmt::format("ids[{}]: expected a string such as \"user:42\", got {}", ids.size(),
                        id.dump().substr(0, 200)));
      ids.push_back(id.get<std::string>());
    }
    const json note = body.value("note", json(""));
    const json mode = body.value("mode", json("replace"));
    if (!note.is_string()) return Status::InvalidArgument("note: expected a string");
    if (mode != "replace" && mode != "add")
      return Status::InvalidArgument(
          "mode: use replace (the list becomes ids) or add (ids join the current list)");
    return eng.ImportSegment(SegmentId(req.captures[0]), ids, note.get<std::string>(),
                             mode == "add");
  });
  AddAdmin(r, "GET", "/api/profiles/{id}/segments",
           [&eng](const Request& req) { return eng.SegmentsOf(req.captures[0]); });
}

}  // namespace signpost::api
