#include "api/router.h"

#include <cstdio>
#include <cstdlib>

namespace signpost::api {

namespace {

// Matches one segment against a pattern segment; appends the capture (if any) to `captures`.
bool MatchSegment(const Route::Segment& p, const std::string& s,
                  std::vector<std::string>& captures) {
  if (!p.capture) return s == p.literal;
  if (s.size() <= p.literal.size()) return false;  // a capture is never empty
  if (s.compare(s.size() - p.literal.size(), p.literal.size(), p.literal) != 0) return false;
  captures.push_back(s.substr(0, s.size() - p.literal.size()));
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string_view pattern, Access access, Handler handler,
                 Runs runs) {
  Route r{std::move(method), std::string(pattern), access, runs, std::move(handler), {}};
  if (pattern.empty() || pattern.front() != '/') {
    std::fprintf(stderr, "route pattern '%s' must start with '/'\n", r.pattern.c_str());
    std::abort();
  }
  for (size_t at = 1; at <= pattern.size() && pattern.size() > 1;) {
    size_t end = pattern.find('/', at);
    if (end == std::string_view::npos) end = pattern.size();
    std::string_view seg = pattern.substr(at, end - at);
    Route::Segment s;
    if (!seg.empty() && seg.front() == '{') {
      const size_t close = seg.find('}');
      if (close == std::string_view::npos) {
        std::fprintf(stderr, "route pattern '%s': unclosed '{'\n", r.pattern.c_str());
        std::abort();
      }
      s.capture = true;
      s.literal = std::string(seg.substr(close + 1));
    } else {
      s.literal = std::string(seg);
    }
    r.segments.push_back(std::move(s));
    at = end + 1;
  }
  routes_.push_back(std::move(r));
}

const Route* Router::Find(std::string_view method, const std::vector<std::string>& segments,
                          std::vector<std::string>& captures) const {
  const size_t base = captures.size();
  for (const Route& r : routes_) {
    if (r.method != method || r.segments.size() != segments.size()) continue;
    bool ok = true;
    for (size_t i = 0; ok && i < segments.size(); ++i)
      ok = MatchSegment(r.segments[i], segments[i], captures);
    if (ok) return &r;
    captures.resize(base);
  }
  return nullptr;
}

}  // namespace signpost::api
