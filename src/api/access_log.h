// The access log: one line per answered HTTP request — time, client address, method, path, status,
// body bytes in and out, duration, route pattern (JSON) and user agent — as text (nginx-like) or
// as one JSON object per line (`--log-format json`), written through a LogWriter (its own thread,
// a bounded buffer: a slow disk drops lines, it never holds an I/O thread).
//
// Never a secret: the query string is left out (a client may put a token there), and a path
// segment a route captures under a name that holds a secret ({token}, {key}, {secret},
// {signature}: key revocation, tracking pixels and links) is written as the pattern's
// `{token}`. Header values other than the user agent (Authorization above all) are never read.
//
// Thread-safety: Record may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/http_request.h"
#include "api/logging.h"
#include "api/router.h"
#include "signpost/clock.h"

namespace signpost::api {

class LogWriter;

// What the server notes of one request while it reads it.
struct RequestTrace {
  std::chrono::steady_clock::time_point start{};  // the header's first byte was awaited
  std::string remote;      // the client's address ("127.0.0.1", "::1"); set per connection
  std::string user_agent;  // the User-Agent header, its first 200 bytes
  uint64_t bytes_in = 0;   // body bytes as received (before decompression)
};

// One answered request as the access log writes it.
struct AccessRecord {
  TimeMs time = 0;  // when the reply was written (wall clock)
  const RequestTrace* trace = nullptr;
  const Request* request = nullptr;
  const Route* route = nullptr;  // nullptr: no route matched (static files, unknown paths)
  int status = 0;
  uint64_t bytes_out = 0;  // reply body bytes
  double seconds = 0;      // from the first header byte to the reply written
};

class AccessLog {
 public:
  // `destination`: a file path (appended to), or "-" for stdout. kIoError when the file cannot be
  // opened.
  static Result<std::unique_ptr<AccessLog>> Open(std::string_view destination, LogFormat format);
  // Writes to `writer` (tests).
  AccessLog(std::shared_ptr<LogWriter> writer, LogFormat format);
  ~AccessLog();

  void Record(const AccessRecord& r);
  // Lines dropped (over the writer's bound, or a failed write).
  uint64_t dropped() const;

  // The line Record writes ('\n' included).
  //   text: 2026-12-07T06:00:00.123Z 127.0.0.1 "GET /healthz" 200 0 15 0.000052 "curl/7.88.1"
  //         (time, client, "method path", status, bytes in, bytes out, seconds, "user agent";
  //         '"', '\' and bytes outside printable ASCII written as \xHH, as nginx does)
  //   json: {"time","level":"info","logger":"access","remote","method","path","route","status",
  //          "bytes_in","bytes_out","duration_ms","user_agent"}
  static std::string Line(const AccessRecord& r, LogFormat format);
  // The path as logged: the request's raw path with secret captures replaced (see above), no
  // query string, at most 1024 bytes.
  static std::string LoggedPath(const Request& request, const Route* route);

 private:
  std::shared_ptr<LogWriter> writer_;
  LogFormat format_;
};

}  // namespace signpost::api
