// Delivery routes: the tracking and one-click unsubscribe endpoints mail clients and inbox
// providers call (no auth: the signed token is the authorization, and the answers reveal
// nothing), and the admin view of the outbox.
#include <fmt/format.h>

#include <string>
#include <string_view>

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

// An unsubscribe POST body is the form field `List-Unsubscribe=One-Click` (RFC 8058 3.2; a form
// post from the confirmation page sends the same); anything longer is not one.
constexpr size_t kMaxUnsubscribeBody = 4096;

// A small HTML page (the confirmation a person sees), never cached.
void Page(Response& res, int status, std::string_view title, std::string_view body) {
  res.status = status;
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("X-Robots-Tag", "noindex");
  res.content_type = "text/html; charset=utf-8";
  res.body = std::string(
                 "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                 "content=\"width=device-width,initial-scale=1\"><title>") +
             std::string(title) +
             "</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem "
             "auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1rem}</style></head><body>" +
             std::string(body) + "</body></html>";
}

// The kind of messages a consent trait stands for, as the page says it.
std::string_view KindName(std::string_view consent) {
  return consent == "sms" ? "text" : consent == "push" ? "push" : "email";
}

}  // namespace

void AddDeliveryRoutes(Router& r, Engine& eng) {
  // One-click unsubscribe (RFC 8058): a GET (a person's click, or a mail scanner's prefetch) only
  // shows a button that POSTs; the POST withdraws the consent. Both verify the signed token.
  r.Add("GET", "/t/u/{token}", Access::kPublic, [&eng](const Request& req, Response& res) {
    auto consent = eng.CheckUnsubscribe(req.captures[0]);
    if (!consent.ok())
      return Plain(res, consent.status().code() == Code::kInvalidArgument ? 400 : 500);
    Page(res, 200, "Unsubscribe",
         fmt::format("<h1>Unsubscribe</h1><p>Stop receiving {} messages from us?</p><form "
                     "method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" "
                     "value=\"One-Click\"><button type=\"submit\">Unsubscribe</button></form>",
                     KindName(*consent)));
  });
  r.Add("POST", "/t/u/{token}", Access::kPublic, [&eng](const Request& req, Response& res) {
    if (req.body.size() > kMaxUnsubscribeBody ||
        req.body.find("List-Unsubscribe=One-Click") == std::string::npos)
      return Plain(res, 400);
    auto changed = eng.Unsubscribe(req.captures[0]);
    if (!changed.ok())
      return Plain(res, changed.status().code() == Code::kInvalidArgument ? 400 : 500);
    Page(res, 200, "Unsubscribed",
         "<h1>Unsubscribed</h1><p>You will not receive these messages any more.</p>");
  });
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
