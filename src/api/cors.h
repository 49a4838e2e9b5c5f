// CORS for the browser SDK (analytics.js): which web pages may call the ingest routes (/v1/*)
// from a browser. The policy is a list of exact origins ("https://shop.example.com", as a browser
// sends them in its Origin header) or "*" for any; without one (the default) no CORS header is
// ever sent, so browsers refuse to send with credentials or to read the replies.
//
// For a request under /v1/ that carries an Origin header, the server asks the policy for the
// preflight's answer (OPTIONS) and for the headers of every actual reply, errors included, so
// the page can read them. A request from an origin the list does not allow is refused (403)
// before its body: a browser would not let the page read the reply anyway, and a "simple"
// cross-origin POST (text/plain, no Authorization) is sent without a preflight.
//
// Thread-safety: a CorsPolicy is immutable once built; every method is const and safe from any
// thread. ParseOrigins is a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/http_request.h"
#include "signpost/status.h"

namespace signpost::api {

class CorsPolicy {
 public:
  CorsPolicy() = default;  // no origin allowed, no CORS headers
  // `origins` as ParseOrigins returns them: exact lowercase origins, or {"*"}.
  explicit CorsPolicy(std::vector<std::string> origins);

  // Parses the value of `serve --cors-origins`: comma-separated origins (scheme://host[:port],
  // no path; the scheme and host are lowercased and a default port dropped, as browsers send
  // them), or "*". Empty → none. Errors (kInvalidArgument, naming the flag and the fix): a path,
  // a query, credentials, "null", a bad port, or "*" mixed with origins.
  static Result<std::vector<std::string>> ParseOrigins(std::string_view list);

  // Whether the policy allows any origin at all (the flag was given).
  bool enabled() const { return any_ || !origins_.empty(); }
  // Whether a page of `origin` (the Origin header's value) may call /v1/*.
  bool Allows(std::string_view origin) const;
  // Whether CORS applies to a request path: only the ingest routes, /v1/*.
  static bool Covers(std::string_view path);

  // The error a request from an origin the policy does not allow is answered with, with HTTP
  // status kRefusedStatus: it names --cors-origins.
  Status Refusal() const;
  static constexpr int kRefusedStatus = 403;

  // The answer to a preflight (OPTIONS with an Origin header) from `origin`: 204 with the
  // Access-Control-Allow-* headers when allowed, a 403 JSON error naming --cors-origins otherwise.
  void AnswerPreflight(std::string_view origin, Response& res) const;
  // Adds the headers of an actual reply to a request from `origin`: Access-Control-Allow-Origin
  // (the origin itself, with Vary: Origin; or "*") and Access-Control-Expose-Headers
  // (Retry-After) when allowed; nothing otherwise.
  void AddReplyHeaders(std::string_view origin, Response& res) const;

 private:
  bool any_ = false;                  // "*"
  std::vector<std::string> origins_;  // sorted
};

}  // namespace signpost::api
