// HTTP request metrics for /metrics: requests answered by route pattern, method and status code
// (signpost_http_requests_total{route="/api/funnels/{id}/report",method="GET",code="200"}), and a
// latency histogram by route and method (signpost_http_request_duration_seconds, fixed buckets).
// The route label is the pattern a route was added with, never the raw path, so the number of
// series is bounded by the routes; a request no route matches (the dashboard's static files,
// unknown paths, requests refused before routing) is route="other", with its method when it is
// one of GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS and "other" otherwise.
//
// Thread-safety: Prepare once, before serving (it sizes the slots); then Observe and AppendText
// from any thread: each observation is three relaxed atomic additions on its route's own slot, no
// lock.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"

namespace signpost::api {

class HttpMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf follows).
  static constexpr std::array<double, 13> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

  // One slot per route of `router` (routes with the same method and pattern share one), and one
  // per method for requests no route matches. Call after every route is added, before serving;
  // observations before it are not counted.
  void Prepare(const Router& router);
  // Counts one answered request: `route` as Router::Find returned it (nullptr: none), the request's
  // method, the reply's status code (100-599) and how long it took.
  void Observe(const Route* route, std::string_view method, int status,
               std::chrono::nanoseconds duration);
  // Appends both families (only the series that have counted something).
  void AppendText(std::string& out) const;

 private:
  struct Slot {
    std::string route, method;                                         // the labels
    std::array<std::atomic<uint64_t>, 500> codes{};                    // by status code - 100
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // not cumulative; +Inf last
    std::atomic<uint64_t> sum_ns{0};
  };
  Slot* SlotFor(const Route* route, std::string_view method) const;

  std::vector<std::unique_ptr<Slot>> slots_;
  const Route* first_route_ = nullptr;  // routes are found by their index in the router
  std::vector<Slot*> by_route_;
  std::array<Slot*, 8> other_{};  // no route: by method (kOtherMethods, then "other")
};

// The build info gauge: signpost_build_info{version,commit,build_type,compiler} 1.
void AppendBuildInfoMetric(std::string& out);

}  // namespace signpost::api
