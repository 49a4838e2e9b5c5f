#include "api/http_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/build_info.h"
#include "base/prometheus_text.h"

namespace signpost::api {

namespace {

constexpr std::array<std::string_view, 7> kOtherMethods = {"GET",    "HEAD",  "POST",   "PUT",
                                                           "DELETE", "PATCH", "OPTIONS"};

std::string Labels(std::string_view route, std::string_view method) {
  std::string out = "{";
  AppendPromLabel(out, "route", route);
  AppendPromLabel(out, "method", method);
  return out;
}

}  // namespace

void HttpMetrics::Prepare(const Router& router) {
  std::map<std::pair<std::string, std::string>, Slot*> seen;
  auto slot = [&](const std::string& route, const std::string& method) {
    auto [it, added] = seen.try_emplace({route, method}, nullptr);
    if (added) {
      slots_.push_back(std::make_unique<Slot>());
      slots_.back()->route = route;
      slots_.back()->method = method;
      it->second = slots_.back().get();
    }
    return it->second;
  };
  const std::vector<Route>& routes = router.routes();
  first_route_ = routes.empty() ? nullptr : &routes.front();
  for (const Route& r : routes) by_route_.push_back(slot(r.pattern, r.method));
  for (size_t i = 0; i < kOtherMethods.size(); ++i)
    other_[i] = slot("other", std::string(kOtherMethods[i]));
  other_.back() = slot("other", "other");
}

HttpMetrics::Slot* HttpMetrics::SlotFor(const Route* route, std::string_view method) const {
  if (route != nullptr && first_route_ != nullptr) {
    const size_t index = static_cast<size_t>(route - first_route_);
    if (index < by_route_.size()) return by_route_[index];
  }
  for (size_t i = 0; i < kOtherMethods.size(); ++i)
    if (method == kOtherMethods[i]) return other_[i];
  return other_.back();
}

void HttpMetrics::Observe(const Route* route, std::string_view method, int status,
                          std::chrono::nanoseconds duration) {
  Slot* slot = SlotFor(route, method);
  if (slot == nullptr) return;  // not prepared
  const size_t code = static_cast<size_t>(std::clamp(status, 100, 599) - 100);
  slot->codes[code].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(duration).count();
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  slot->buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  slot->sum_ns.fetch_add(static_cast<uint64_t>(std::max<int64_t>(0, duration.count())),
                         std::memory_order_relaxed);
}

void HttpMetrics::AppendText(std::string& out) const {
  out +=
      "# HELP signpost_http_requests_total HTTP requests answered (refused ones included), by "
      "route pattern (\"other\": no route matched), method and status code.\n"
      "# TYPE signpost_http_requests_total counter\n";
  for (const auto& s : slots_) {
    const std::string labels = Labels(s->route, s->method);
    for (size_t c = 0; c < s->codes.size(); ++c) {
      const uint64_t n = s->codes[c].load(std::memory_order_relaxed);
      if (n != 0)
        out += fmt::format("signpost_http_requests_total{},code=\"{}\"}} {}\n", labels, c + 100, n);
    }
  }
  out +=
      "# HELP signpost_http_request_duration_seconds Time from a request's first header byte to "
      "its reply written, by route pattern and method.\n"
      "# TYPE signpost_http_request_duration_seconds histogram\n";
  for (const auto& s : slots_) {
    std::array<uint64_t, kBuckets.size() + 1> counts;
    uint64_t total = 0;
    for (size_t b = 0; b < counts.size(); ++b) {
      counts[b] = s->buckets[b].load(std::memory_order_relaxed);
      total += counts[b];
    }
    if (total == 0) continue;
    const std::string labels = Labels(s->route, s->method);
    uint64_t cumulative = 0;
    for (size_t b = 0; b < counts.size(); ++b) {
      cumulative += counts[b];
      const std::string le = b < kBuckets.size() ? fmt::format("{}", kBuckets[b]) : "+Inf";
      out += fmt::format("signpost_http_request_duration_seconds_bucket{},le=\"{}\"}} {}\n", labels,
                         le, cumulative);
    }
    out += fmt::format("signpost_http_request_duration_seconds_sum{}}} {:.9f}\n", labels,
                       s->sum_ns.load(std::memory_order_relaxed) / 1e9);
    out += fmt::format("signpost_http_request_duration_seconds_count{}}} {}\n", labels, total);
  }
}

void AppendBuildInfoMetric(std::string& out) {
  const BuildInfo& b = GetBuildInfo();
  std::string labels = "{";
  AppendPromLabel(labels, "version", b.version);
  AppendPromLabel(labels, "commit", b.commit);
  AppendPromLabel(labels, "build_type", b.build_type);
  AppendPromLabel(labels, "compiler", b.compiler);
  out += fmt::format(
      "# HELP signpost_build_info The running binary: version, git commit, build type, "
      "compiler.\n# TYPE signpost_build_info gauge\nsignpost_build_info{}}} 1\n",
      labels);
}

}  // namespace signpost::api
