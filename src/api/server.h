// The HTTP server: Segment-compatible ingest (/v1/*), the admin API (/api/*), health, readiness and
// metrics endpoints, and the dashboard's static files. An asynchronous Boost.Beast server whose
// edge bounds everything a client controls before any engine work: header size and count, the
// body for every framing (Content-Length or chunked), the decompressed size, how long a header and
// a body may take (deadlines that do not restart per byte), idle keep-alive time, and the number
// of connections. Credentials are checked after the header and before the body is read.
// Optionally HTTPS only (TLS, the handshake under its own deadline) and CORS on /v1/* for the
// browser SDK.
//
// Threads: a few I/O threads run every connection (a slow client holds none of them); handlers
// that call the engine run on a bounded worker pool and their reply is written back on the
// connection's strand, so slow reports never delay /healthz. Exceptions and Status codes become
// HTTP status codes here and nowhere else. See src/api/README.md.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "signpost/engine.h"
#include "signpost/status.h"

namespace signpost::api {

class AccessLog;

struct ServerOptions {
  std::string host = "127.0.0.1";       // interface to bind; default loopback only
  int port = 8080;                      // 0 = any free port (see Server::port())
  int threads = 8;                      // worker threads running handlers that call the engine
  int io_threads = 2;                   // threads running the connections (reads, writes, timers)
  std::string web_root;                 // folder of the built dashboard; "" = no dashboard
  size_t max_connections = 1024;        // beyond this, a new connection is closed at once
  size_t max_header_bytes = 16 * 1024;  // request line + headers; over → 431
  size_t max_header_count = 100;        // header fields; over → 431
  // Body bytes as received and after decompression; over → 413 naming the limit. Default 8 MiB:
  // bodies up to it reach the engine, whose named limits (500 KiB a batch) answer first.
  size_t max_body_bytes = 8 << 20;
  // A /v1/* request without an Authorization header may carry its write key inside the body; such
  // a body is read only up to this size (default 64 KiB), larger ones get 401 unread. A route that
  // takes no credentials (analytics.js's /v1/m, the probes) reads its body under the same bound
  // (over → 413).
  size_t unauthenticated_body_bytes = 64 * 1024;
  // All bodies being read or handled at once, as declared (chunked: max_body_bytes) plus
  // max_body_bytes for a compressed one's decoded copy; a body over it gets 503 + Retry-After.
  // Default 128 MiB: what bounds the server's memory when many clients send at once.
  size_t max_body_bytes_in_flight = 128 << 20;
  int header_timeout_ms = 10000;  // the whole header, from its first byte (not reset per byte)
  int idle_timeout_ms = 5000;     // a keep-alive connection waiting for its next request
  // The body's deadline: body_timeout_ms plus one second per body_min_rate bytes of its declared
  // length (chunked: of max_body_bytes). Defaults 10 s and 64 KiB/s.
  int body_timeout_ms = 10000;
  size_t body_min_rate = 64 * 1024;
  // Where uploaded files wait for their import (routes_import.cc); "" = <temp
  // dir>/signpost-uploads. `serve` puts them in the data folder's `uploads/`.
  std::string upload_dir;
  // TLS (src/api/tls.h): PEM files of the certificate chain and its private key, both or neither,
  // read by Bind(). Set, the port speaks only HTTPS; "" = plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // TLS: the first bytes and the whole handshake, from the accept (not reset per byte).
  int tls_handshake_timeout_ms = 10000;
  // Web origins whose pages may call /v1/* from a browser (src/api/cors.h), as
  // CorsPolicy::ParseOrigins returns them: exact origins, or {"*"}. Empty = no CORS headers.
  std::vector<std::string> cors_origins;
  // One line per answered request (src/api/access_log.h); null = no access log.
  std::shared_ptr<AccessLog> access_log;
};

class Server {
 public:
  // `engine` is not owned and must outlive the server.
  Server(Engine& engine, ServerOptions options);
  ~Server();

  // Binds and serves until Stop() is called from another thread. Returns an error when the
  // address cannot be bound or the TLS files cannot be used; ok after a Stop().
  Status Run();
  // Binds now (so port() is known) without serving, after loading the TLS files when set (errors
  // name the flag and the file); Run() then serves. Idempotent.
  Status Bind();
  // Stops serving; safe from any thread and from signal-handling threads (not from a handler).
  void Stop();
  // The bound port (valid after Bind()).
  int port() const { return port_; }

  struct Impl;  // internal to server.cc

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// Maps a Status code to the HTTP status it is answered with (400, 401, 404, 409, 500...).
int HttpStatusFor(Code code);

}  // namespace signpost::api
