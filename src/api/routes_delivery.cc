// Delivery routes: the tracking endpoints mail clients call (no auth: the signed token is the
// authorization, and the answers reveal nothing), and the admin view of the outbox.
#include <string>

#include "api/routes.h"

namespace signpost::api {

namespace {

// The smallest transparent 1x1 GIF.
constexpr unsigned char kPixel[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

// Tracking answers carry no detail: a bad token is a bare 400, a failure a bare 500.
void Plain(httplib::Response& res, int status) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(status == 400 ? "bad request" : "error", "text/plain");
}

}  // namespace

void AddDeliveryRoutes(httplib::Server& svr, Engine& eng) {
  svr.Get(R"(/t/o/([A-Za-z0-9_.\-]+)\.gif)", [&eng](const httplib::Request& req,
                                                    httplib::Response& res) {
    Status s = eng.TrackOpen(req.matches[1].str());
    if (!s.ok()) return Plain(res, s.code() == Code::kInvalidArgument ? 400 : 500);
    res.status = 200;
    res.set_header("Cache-Control", "no-store, max-age=0");
    res.set_content(std::string(reinterpret_cast<const char*>(kPixel), sizeof kPixel), "image/gif");
  });
  svr.Get(R"(/t/c/([A-Za-z0-9_.\-]+))",
          [&eng](const httplib::Request& req, httplib::Response& res) {
            auto url = eng.TrackClick(req.matches[1].str());
            if (!url.ok())
              return Plain(res, url.status().code() == Code::kInvalidArgument ? 400 : 500);
            res.set_header("Cache-Control", "no-store");
            res.set_redirect(*url, 302);
            // A body gives the reply a Content-Length, so keep-alive clients do not wait for the
            // close.
            res.set_content("redirecting", "text/plain");
          });
  svr.Get("/api/outbox", Admin(eng, [&eng](const httplib::Request& req) -> Result<nlohmann::json> {
            size_t limit = 100;
            if (req.has_param("limit")) {
              try {
                limit = std::stoul(req.get_param_value("limit"));
              } catch (const std::exception&) {
                return Status::InvalidArgument(
                    "limit: expected a whole number, e.g. limit=100 (0 = all)");
              }
            }
            return eng.Outbox(limit);
          }));
  svr.Post("/api/outbox/deliver",
           Admin(eng, [&eng](const httplib::Request&) -> Result<nlohmann::json> {
             Status s = eng.DeliverDue();
             if (!s.ok()) return s;
             return eng.Outbox(100);
           }));
}

}  // namespace signpost::api
