// JSON replies, the Status → HTTP status mapping, and the admin route helper (routes.h).
#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "api/server.h"

namespace signpost::api {

using nlohmann::json;

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kResourceExhausted:
      return 400;  // Segment answers over-limit bodies with 400
    case Code::kUnauthenticated:
      return 401;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kCorruption:
    case Code::kIoError:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

void Reply(Response& res, int status, const json& body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = body.dump();
}

void ReplyError(Response& res, const Status& s, int status) {
  Reply(res, status ? status : HttpStatusFor(s.code()),
        {{"success", false}, {"error", {{"code", CodeName(s.code())}, {"message", s.message()}}}});
}

json QueryJson(const Request& req) {
  json q = json::object();
  for (const auto& [k, v] : req.query) q[k] = v;
  return q;
}

void AddAdmin(Router& router, std::string method, std::string_view pattern, AdminHandler handler) {
  router.Add(std::move(method), pattern, Access::kAdmin,
             [handler = std::move(handler)](const Request& req, Response& res) {
               Result<json> r = handler(req);
               if (!r.ok()) return ReplyError(res, r.status());
               Reply(res, 200, *r);
             });
}

}  // namespace signpost::api
