#include "api/request_telemetry.h"

#include <fmt/format.h>

namespace signpost::api {

void RequestTelemetry::Finish(const RequestTrace& trace, const Request& request, const Route* route,
                              int status, uint64_t bytes_out) {
  const auto now = std::chrono::steady_clock::now();
  const std::chrono::nanoseconds took = trace.start == std::chrono::steady_clock::time_point{}
                                            ? std::chrono::nanoseconds(0)
                                            : now - trace.start;
  metrics_.Observe(route, request.method, status, took);
  if (!access_log_) return;
  AccessRecord r;
  // The access log's time is the wall clock (the engine's clock is for events, not the edge).
  r.time = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  r.trace = &trace;
  r.request = &request;
  r.route = route;
  r.status = status;
  r.bytes_out = bytes_out;
  r.seconds = std::chrono::duration<double>(took).count();
  access_log_->Record(r);
}

void RequestTelemetry::AppendMetrics(std::string& out) const {
  metrics_.AppendText(out);
  AppendBuildInfoMetric(out);
  if (access_log_)
    out += fmt::format(
        "# HELP signpost_access_log_dropped_total Access log lines dropped (the writer fell "
        "behind by more than its buffer, or a write failed).\n"
        "# TYPE signpost_access_log_dropped_total counter\nsignpost_access_log_dropped_total {}\n",
        access_log_->dropped());
}

}  // namespace signpost::api
