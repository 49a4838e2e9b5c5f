// The router: routes by method and path pattern, matched segment by segment (no regular
// expressions on request paths). A pattern is literal segments and captures:
// "/api/profiles/{id}/events", "/t/o/{token}.gif" (a capture may end in a literal suffix). A
// capture matches one whole non-empty segment, never a '/'. The first route added that matches
// wins, so add specific routes before general ones.
//
// Each route says who may call it (`Access`): the server checks the credentials after the request
// header is read and before any of the body is (src/api/README.md).
//
// Thread-safety: Add only before serving; Find is const and may run on any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_request.h"

namespace signpost::api {

// Who may call a route.
enum class Access {
  kPublic,  // anyone (health, tracking links, static files)
  kWrite,   // a write key: the Basic-auth username, or `writeKey` in a small body (README)
  kAdmin,   // an admin token: `Authorization: Bearer <token>`
};

// Where the handler runs: kInline on the connection's I/O thread (only for quick handlers that
// never wait: health probes), kWorker on the server's worker pool (anything that calls the engine).
enum class Runs { kWorker, kInline };

using Handler = std::function<void(const Request&, Response&)>;

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kAdmin;
  Runs runs = Runs::kWorker;
  Handler handler;
  struct Segment {
    std::string literal;  // the whole segment (no capture), or the capture's literal suffix
    bool capture = false;
  };
  std::vector<Segment> segments;
};

class Router {
 public:
  // Adds a route; `pattern` starts with '/'. Programmer errors in a pattern abort at startup.
  void Add(std::string method, std::string_view pattern, Access access, Handler handler,
           Runs runs = Runs::kWorker);

  // The first route matching `method` and `segments` (percent-decoded path segments), with its
  // captures appended to `captures`; nullptr when none matches.
  const Route* Find(std::string_view method, const std::vector<std::string>& segments,
                    std::vector<std::string>& captures) const;
  // Every route added, in the order added (Find returns pointers into it).
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace signpost::api
