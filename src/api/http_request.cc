#include "api/http_request.h"

#include <fmt/format.h>

namespace signpost::api {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Request::param(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? "" : it->second;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

Status ParseTarget(std::string_view target, Request& req) {
  if (target.empty() || target.front() != '/')
    return Status::InvalidArgument("the request target must be a path starting with '/'");
  const size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  req.path = std::string(path);
  req.segments.clear();
  req.query.clear();
  // "/" has no segments; "/a/b" has two.
  for (size_t at = 1; at <= path.size() && path.size() > 1;) {
    size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    std::string segment = PercentDecode(path.substr(at, end - at), false);
    if (segment.find('\0') != std::string::npos || segment.find('/') != std::string::npos ||
        segment == "..") {
      return Status::InvalidArgument(fmt::format(
          "path segment {}: a NUL byte, an encoded '/' or '..' is not allowed in a path",
          req.segments.size() + 1));
    }
    req.segments.push_back(std::move(segment));
    at = end + 1;
  }
  if (q == std::string_view::npos) return Status::Ok();
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    req.query.emplace(std::move(key), std::move(value));
  }
  return Status::Ok();
}

}  // namespace signpost::api
