// Delivery routes: the tracking endpoints mail clients call (no auth: the signed token is the
// authorization, and the answers reveal nothing), and the admin view of the outbox.
#include <string>

#include "api/routes.h"
#include "wire/wire.h"

namespace signpost::api {

namespace {

// The smallest transparent 1x1 GIF.
constexpr unsigned char kPixel[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

// Tracking answers carry no detail: a bad token is a bare 400, a failure a bare 500.
void Plain(Response& res, int status) {
  res.status = status;
  res.headers.emplace_back("Cache-Control", "no-store");
  res.content_type = "text/plain";
  res.body = status == 400 ? "bad request" : "error";
}

}  // namespace

void AddDeliveryRoutes(Router& r, Engine& eng) {
  r.Add("GET", "/t/o/{token}.gif", Access::kPublic, [&eng](const Request& req, Response& res) {
    Status s = eng.TrackOpen(req.captures[0]);
    if (!s.ok()) return Plain(res, s.code() == Code::kInvalidArgument ? 400 : 500);
    res.status = 200;
    res.headers.emplace_back("Cache-Control", "no-store, max-age=0");
    res.content_type = "image/gif";
    res.body.assign(reinterpret_cast<const char*>(kPixel), sizeof kPixel);
  });
  r.Add("GET", "/t/c/{token}", Access::kPublic, [&eng](const Request& req, Response& res) {
    auto url = eng.TrackClick(req.captures[0]);
    if (!url.ok()) return Plain(res, url.status().code() == Code::kInvalidArgument ? 400 : 500);
    res.status = 302;
    res.headers.emplace_back("Cache-Control", "no-store");
    res.headers.emplace_back("Location", *url);
    // A body gives the reply a Content-Length, so keep-alive clients do not wait for the close.
    res.content_type = "text/plain";
    res.body = "redirecting";
  });
  AddAdmin(r, "GET", "/api/outbox", [&eng](const Request& req) -> Result<nlohmann::json> {
    SP_ASSIGN_OR_RETURN(uint64_t limit, QueryInt(req, "limit", 100, 0, 1000000));  // 0 = all
    SP_ASSIGN_OR_RETURN(OutboxView outbox, eng.Outbox(limit));
    return wire::ToJson(outbox);
  });
  AddAdmin(r, "POST", "/api/outbox/deliver", [&eng](const Request&) -> Result<nlohmann::json> {
    Status s = eng.DeliverDue();
    if (!s.ok()) return s;
    SP_ASSIGN_OR_RETURN(OutboxView outbox, eng.Outbox(100));
    return wire::ToJson(outbox);
  });
}

}  // namespace signpost::api
