// The HTTP edge's request-target parser (path segments, percent-decoding, the query string), the
// router's segment matching, query integers and the bounded JSON body parse: no crash, and what
// they accept keeps their promises (no '/', NUL or ".." in a segment; no empty capture; a query
// integer inside its range; no JSON deeper than the limit).
#include <cstdint>
#include <string_view>

#include "api/http_request.h"
#include "api/request_limits.h"
#include "api/router.h"
#include "fuzz_check.h"

namespace {

int Depth(const nlohmann::json& j) {
  // Iterative: the document is bounded by the limit, but the check should not trust that.
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> stack{{&j, 1}};
  while (!stack.empty()) {
    auto [v, d] = stack.back();
    stack.pop_back();
    if (!v->is_structured()) continue;
    deepest = std::max(deepest, d);
    for (const auto& child : *v) stack.push_back({&child, d + 1});
  }
  return deepest;
}

const signpost::api::Router& Routes() {
  using namespace signpost::api;
  static const Router* router = [] {
    auto* r = new Router;
    Handler none = [](const Request&, Response&) {};
    for (const char* p :
         {"/v1/batch", "/healthz", "/api/profiles/{id}", "/api/profiles/{id}/events",
          "/api/profiles/{id}/funnels/{funnel}/last-step", "/api/funnels/query",
          "/api/funnels/{id}/report", "/t/o/{token}.gif", "/t/c/{token}", "/api/keys/{token}", "/"})
      r->Add("GET", p, Access::kAdmin, none);
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  using namespace signpost::api;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Request req;
  Status s = ParseTarget(text, req);
  if (s.ok()) {
    for (const auto& seg : req.segments) {
      fuzz::Check(seg.find('/') == std::string::npos, "a path segment holds '/'");
      fuzz::Check(seg.find('\0') == std::string::npos, "a path segment holds NUL");
      fuzz::Check(seg != "..", "a path segment is '..'");
    }
    const Route* route = Routes().Find("GET", req.segments, req.captures);
    if (route) {
      for (const auto& c : req.captures) fuzz::Check(!c.empty(), "an empty capture");
    } else {
      fuzz::Check(req.captures.empty(), "captures left behind by a failed match");
    }
    for (const auto& [name, value] : req.query) {
      Result<uint64_t> v = QueryInt(req, name, 5, 1, 1000);
      if (v.ok())
        fuzz::Check(*v >= 1 && *v <= 1000, "a query integer outside its range");
      else
        fuzz::Check(
            v.status().message().find(name.substr(0, 8)) != std::string::npos || name.empty(),
            "a query integer error without the parameter's name");
    }
  } else {
    fuzz::Check(!s.message().empty(), "target error without message");
  }
  Result<nlohmann::json> doc = ParseJsonBody(text);
  if (doc.ok()) fuzz::Check(Depth(*doc) <= kMaxJsonDepth, "JSON deeper than the limit parsed");
  return 0;
}
