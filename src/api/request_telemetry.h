// What the server records of every answered request, in one call from the place a reply is
// written (server.cc): the HTTP metrics (http_metrics.h) and, when one is configured, the access
// log line (access_log.h). Also appends the edge's own families to /metrics: the request counters
// and latency histograms, the build info, and the access log's dropped lines.
//
// Thread-safety: Prepare once before serving; Begin, Finish and AppendMetrics from any thread.
#pragma once

#include <memory>
#include <string>

#include "api/access_log.h"
#include "api/http_metrics.h"

namespace signpost::api {

class RequestTelemetry {
 public:
  // `access_log` may be null (no access log).
  explicit RequestTelemetry(std::shared_ptr<AccessLog> access_log)
      : access_log_(std::move(access_log)) {}

  // Sizes the metrics for the router's routes (every route added; before serving).
  void Prepare(const Router& router) { metrics_.Prepare(router); }
  // A request starts: its header's first byte is awaited (keep-alive idle time is not counted).
  static void Begin(RequestTrace& trace) {
    trace.start = std::chrono::steady_clock::now();
    trace.user_agent.clear();
    trace.bytes_in = 0;
  }
  // Its reply was written (or failed to be): counts it and writes its access log line.
  void Finish(const RequestTrace& trace, const Request& request, const Route* route, int status,
              uint64_t bytes_out);
  void AppendMetrics(std::string& out) const;

 private:
  HttpMetrics metrics_;
  std::shared_ptr<AccessLog> access_log_;
};

}  // namespace signpost::api
