// The HTTP server: Segment-compatible ingest (/v1/*), the admin API (/api/*), tracking-free
// health and metrics endpoints, and the dashboard's static files. Thin: every route parses the
// request, calls one Engine method, and turns its Result into a JSON reply. Exceptions and Status
// codes become HTTP status codes here and nowhere else.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "signpost/engine.h"
#include "signpost/status.h"

namespace signpost::api {

struct ServerOptions {
  std::string host = "127.0.0.1";  // interface to bind; default loopback only
  int port = 8080;                 // 0 = any free port (see Server::port())
  int threads = 8;                 // worker threads serving requests
  std::string web_root;            // folder of the built dashboard; "" = no dashboard
};

class Server {
 public:
  // `engine` is not owned and must outlive the server.
  Server(Engine& engine, ServerOptions options);
  ~Server();

  // Binds and serves until Stop() is called from another thread. Returns an error when the
  // address cannot be bound; ok after a Stop().
  Status Run();
  // Binds now (so port() is known) without serving; Run() then serves. Idempotent.
  Status Bind();
  // Stops serving; safe from any thread and from signal-handling threads (not from a handler).
  void Stop();
  // The bound port (valid after Bind()).
  int port() const { return port_; }

 private:
  struct Routes;
  Engine& engine_;
  ServerOptions options_;
  std::unique_ptr<Routes> routes_;
  int port_ = 0;
};

// Maps a Status code to the HTTP status it is answered with (400, 401, 404, 409, 413, 500...).
int HttpStatusFor(Code code);

}  // namespace signpost::api
