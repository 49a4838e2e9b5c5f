// The HTTP edge's own request and reply types, and the parsing of a request target (path and
// query string) into them. Independent of the network library: the router, the route files and
// the fuzz target see only these types.
//
// Thread-safety: plain values; ParseTarget and PercentDecode are pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "signpost/status.h"

namespace signpost::api {

// One request as the handlers see it. The body is already de-chunked and decompressed.
struct Request {
  std::string method;                        // "GET", "POST", "DELETE", ...
  std::string path;                          // the raw path of the target (still percent-encoded)
  std::vector<std::string> segments;         // the path's segments, percent-decoded
  std::map<std::string, std::string> query;  // query parameters, decoded; the first of a name wins
  std::vector<std::string> captures;         // the route pattern's {captures}, in pattern order
  std::string authorization;                 // the Authorization header ("" when absent)
  std::string body;

  bool has_param(std::string_view name) const {
    return query.find(std::string(name)) != query.end();
  }
  // The parameter's value, "" when absent.
  std::string param(std::string_view name) const;
};

// One reply. `content_type` is the Content-Type header; `headers` are any others.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query strings). A '%' not
// followed by two hex digits is kept as it is.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// Splits a request target ("/a/b%20c?x=1&y=2") into req.path, req.segments and req.query.
// Errors (kInvalidArgument, naming the fix): a target not starting with '/', a path segment that
// decodes to a NUL byte, '/' or "..". An empty segment (as in "/a//b" or a trailing '/') is kept
// as "" so patterns never match it by accident.
Status ParseTarget(std::string_view target, Request& req);

}  // namespace signpost::api
