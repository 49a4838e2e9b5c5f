// Segments over HTTP: the list of segments (static lists and rule segments), one segment with its
// members now, the segments one profile is in now, and a static list imported from ids. All need
// an admin token.
#include <fmt/format.h>

#include "api/routes.h"

namespace signpost::api {

using nlohmann::json;

void AddSegmentRoutes(httplib::Server& svr, Engine& eng) {
  auto admin = [&eng](AdminHandler h) { return Admin(eng, std::move(h)); };
  svr.Get("/api/segments", admin([&eng](const httplib::Request&) { return eng.ListSegments(); }));
  svr.Get(R"(/api/segments/([^/]+))",
          admin([&eng](const httplib::Request& req) { return eng.Segment(req.matches[1].str()); }));
  // Body {"ids": ["user:42", "anon:abc", "u-7", ...], "note": "...", "mode": "replace" | "add"}.
  svr.Post(
      R"(/api/segments/([^/]+)/members)",
      admin([&eng](const httplib::Request& req) -> Result<json> {
        json body = json::parse(req.body, nullptr, false);
        if (!body.is_object() || !body.contains("ids") || !body["ids"].is_array())
          return Status::InvalidArgument(
              "ids: send {\"ids\": [\"user:42\", \"anon:abc\"], \"note\": \"...\"} as JSON");
        std::vector<std::string> ids;
        for (const auto& id : body["ids"]) {
          if (!id.is_string())
            return Status::InvalidArgument(fmt::format(
                "ids[{}]: expected a string such as \"user:42\", got {}", ids.size(), id.dump()));
          ids.push_back(id.get<std::string>());
        }
        const json note = body.value("note", json(""));
        const json mode = body.value("mode", json("replace"));
        if (!note.is_string()) return Status::InvalidArgument("note: expected a string");
        if (mode != "replace" && mode != "add")
          return Status::InvalidArgument(
              "mode: use replace (the list becomes ids) or add (ids join the current list)");
        return eng.ImportSegment(req.matches[1].str(), ids, note.get<std::string>(), mode == "add");
      }));
  svr.Get(R"(/api/profiles/([^/]+)/segments)", admin([&eng](const httplib::Request& req) {
            return eng.SegmentsOf(req.matches[1].str());
          }));
}

}  // namespace signpost::api
