#include "api/cors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "api/routes.h"

namespace signpost::api {

namespace {

constexpr std::string_view kFlag = "--cors-origins";
// What analytics.js sends: its text/plain body, the write key as Basic auth, and its retry count.
constexpr std::string_view kAllowHeaders = "Content-Type, Authorization, X-Retry-Count";
constexpr std::string_view kMaxAgeSeconds = "86400";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Status Bad(std::string_view origin, std::string_view why) {
  return Status::InvalidArgument(fmt::format(
      "{}: '{}' {}; write origins as a browser sends them, e.g. https://shop.example.com or "
      "http://localhost:3000, comma-separated, or * for any",
      kFlag, origin.substr(0, 200), why));
}

// One origin in its browser form: lowercase scheme and host, the port only when not the
// scheme's default.
Result<std::string> ParseOrigin(std::string_view given) {
  std::string lowered(given);  // browsers send the scheme and host in lowercase
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string_view origin = lowered;
  if (origin == "null")
    return Bad(origin, "is what sandboxed pages and files send, and cannot be allowed safely");
  const size_t sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0)
    return Bad(origin, "has no scheme (http:// or https://)");
  const std::string scheme(origin.substr(0, sep));
  if (!std::isalpha(static_cast<unsigned char>(scheme[0])) ||
      !std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      }))
    return Bad(origin, "has an invalid scheme");
  std::string_view authority = origin.substr(sep + 3);
  if (authority.find_first_of("/?#") != std::string_view::npos)
    return Bad(origin, "has a path (an origin ends after the host and port, with no '/')");
  if (authority.find('@') != std::string_view::npos) return Bad(origin, "has credentials");
  std::string_view host = authority, port;
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  const bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  if (has_port) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Bad(origin, "has no host");
  const bool ipv6 = host.front() == '[' && host.back() == ']' && host.size() > 2;
  for (char c : ipv6 ? host.substr(1, host.size() - 2) : host) {
    const bool ok = ipv6 ? (std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')
                         : (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.');
    if (!ok) return Bad(origin, "has an invalid host");
  }
  std::string out = scheme + "://" + std::string(host);
  if (has_port) {
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      return Bad(origin, "has an invalid port");
    const int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535) return Bad(origin, "has a port outside 1..65535");
    // Browsers leave out the scheme's default port.
    if (!((scheme == "http" && n == 80) || (scheme == "https" && n == 443)))
      out += fmt::format(":{}", n);
  }
  return out;
}

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> origins) {
  for (std::string& o : origins) {
    if (o == "*")
      any_ = true;
    else
      origins_.push_back(std::move(o));
  }
  std::sort(origins_.begin(), origins_.end());
}

Result<std::vector<std::string>> CorsPolicy::ParseOrigins(std::string_view list) {
  std::vector<std::string> out;
  bool any = false;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    if (item == "*") {
      any = true;
      continue;
    }
    SP_ASSIGN_OR_RETURN(std::string origin, ParseOrigin(item));
    out.push_back(std::move(origin));
  }
  if (any && !out.empty())
    return Status::InvalidArgument(fmt::format(
        "{}: '*' allows every origin; give it alone or list the origins without it", kFlag));
  if (any) out.push_back("*");
  return out;
}

bool CorsPolicy::Allows(std::string_view origin) const {
  if (origin.empty()) return false;
  if (any_) return true;
  return std::binary_search(origins_.begin(), origins_.end(), origin);
}

bool CorsPolicy::Covers(std::string_view path) { return path.substr(0, 4) == "/v1/"; }

Status CorsPolicy::Refusal() const {
  return Status::Unauthenticated(
      enabled() ? "this origin may not call the ingest API from a browser: add it to serve "
                  "--cors-origins"
                : "the ingest API allows no browser origin: start serve with --cors-origins");
}

void CorsPolicy::AnswerPreflight(std::string_view origin, Response& res) const {
  if (!Allows(origin)) {
    return ReplyError(res, Refusal(), kRefusedStatus);
  }
  res.status = 204;
  res.body.clear();
  AddReplyHeaders(origin, res);
  res.headers.emplace_back("Access-Control-Allow-Methods", "POST, OPTIONS");
  res.headers.emplace_back("Access-Control-Allow-Headers", std::string(kAllowHeaders));
  res.headers.emplace_back("Access-Control-Max-Age", std::string(kMaxAgeSeconds));
}

void CorsPolicy::AddReplyHeaders(std::string_view origin, Response& res) const {
  if (!Allows(origin)) return;
  if (any_) {
    res.headers.emplace_back("Access-Control-Allow-Origin", "*");
  } else {
    res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    res.headers.emplace_back("Vary", "Origin");
  }
  // The SDK honours Retry-After on a 429 or 503 only if the browser lets it read the header.
  res.headers.emplace_back("Access-Control-Expose-Headers", "Retry-After");
}

}  // namespace signpost::api
