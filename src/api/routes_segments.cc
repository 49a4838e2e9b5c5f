// Segments over HTTP: the list of segments (static lists and rule segments), one segment with its
// members now, and the segments one profile is in now. All need an admin token.
#include "api/routes.h"

namespace signpost::api {

void AddSegmentRoutes(httplib::Server& svr, Engine& eng) {
  auto admin = [&eng](AdminHandler h) { return Admin(eng, std::move(h)); };
  svr.Get("/api/segments", admin([&eng](const httplib::Request&) { return eng.ListSegments(); }));
  svr.Get(R"(/api/segments/([^/]+))",
          admin([&eng](const httplib::Request& req) { return eng.Segment(req.matches[1].str()); }));
  svr.Get(R"(/api/profiles/([^/]+)/segments)", admin([&eng](const httplib::Request& req) {
            return eng.SegmentsOf(req.matches[1].str());
          }));
}

}  // namespace signpost::api
