#include "delivery/tracking.h"

#include <nlohmann/json.hpp>

#include "delivery/signing.h"

namespace signpost::delivery {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

// Position of `needle` (lower case) in `hay` from `from`, ignoring ASCII case; npos when absent.
size_t FindNoCase(std::string_view hay, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && Lower(hay[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

// Decodes the entities an HTML attribute value of a URL may hold.
std::string UnescapeHtml(std::string_view s) {
  static const std::pair<std::string_view, char> kEntities[] = {{"&amp;", '&'},  {"&quot;", '"'},
                                                                {"&#39;", '\''}, {"&#x27;", '\''},
                                                                {"&lt;", '<'},   {"&gt;", '>'}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      for (const auto& [name, c] : kEntities) {
        if (s.substr(i, name.size()) == name) {
          out += c;
          i += name.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

// The value of every quoted href attribute of `html`, in order, as views into it.
template <typename F>
void ForEachHref(std::string_view html, F&& visit) {
  size_t pos = 0;
  while (true) {
    size_t href = FindNoCase(html, "href=", pos);
    if (href == std::string_view::npos) return;
    size_t q = href + 5;
    if (q >= html.size() || (html[q] != '"' && html[q] != '\'')) {
      pos = q;
      continue;
    }
    size_t end = html.find(html[q], q + 1);
    if (end == std::string_view::npos) return;
    visit(q + 1, end);
    pos = end + 1;
  }
}

// The length of the scheme prefix "http://" or "https://" (any case) of `url`; 0 when neither.
size_t HttpSchemeLength(std::string_view url) {
  if (FindNoCase(url, "http://", 0) == 0) return 7;
  if (FindNoCase(url, "https://", 0) == 0) return 8;
  return 0;
}

bool Allowed(const std::vector<std::string>& hosts, std::string_view host) {
  if (host.empty()) return false;
  for (const auto& h : hosts)
    if (h == host) return true;
  return false;
}

}  // namespace

std::string UrlHost(std::string_view url) {
  const size_t start = HttpSchemeLength(url);
  if (start == 0) return "";
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  std::string_view authority = url.substr(start, end - start);
  std::string host;
  for (char c : authority) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '@' || c == '\\' || u <= 0x20 || u == 0x7f) return "";
    if (c == ':') break;  // the port
    host += Lower(c);
  }
  return host;
}

std::vector<std::string> TemplateLinkHosts(std::string_view html_template) {
  std::vector<std::string> hosts;
  ForEachHref(html_template, [&](size_t begin, size_t end) {
    std::string_view value = html_template.substr(begin, end - begin);
    const size_t start = HttpSchemeLength(value);
    if (start == 0) return;
    size_t authority_end = value.find_first_of("/?#", start);
    if (authority_end == std::string_view::npos) authority_end = value.size();
    if (value.substr(0, authority_end).find("{{") != std::string_view::npos) return;
    std::string host = UrlHost(UnescapeHtml(value.substr(0, authority_end)));
    if (!host.empty() && !Allowed(hosts, host)) hosts.push_back(std::move(host));
  });
  return hosts;
}

std::string SignToken(const TrackingClaims& c, std::string_view secret) {
  nlohmann::json j = {{"t", c.unsubscribe ? "u"
                            : c.click     ? "c"
                                          : "o"},
                      {"k", c.key},
                      {"i", c.identity},
                      {"j", c.journey},
                      {"v", c.version},
                      {"e", c.entry},
                      {"s", c.step},
                      {"c", c.channel}};
  if (c.click) j["u"] = c.url;
  if (c.unsubscribe) j["n"] = c.consent;
  std::string payload = Base64Url(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return payload + "." + Base64Url(HmacSha256(secret, payload));
}

Result<TrackingClaims> VerifyToken(std::string_view token, std::string_view secret) {
  const Status invalid = Status::InvalidArgument("not a valid tracking token");
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 8192) return invalid;
  std::string_view payload = token.substr(0, dot);
  std::string sig, text;
  if (!DecodeBase64Url(token.substr(dot + 1), sig) ||
      !ConstantTimeEquals(sig, HmacSha256(secret, payload)))
    return invalid;
  if (!DecodeBase64Url(payload, text)) return invalid;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return invalid;
  try {
    TrackingClaims c;
    const std::string type = j.at("t").get<std::string>();
    c.click = type == "c";
    c.unsubscribe = type == "u";
    c.key = j.at("k").get<std::string>();
    c.identity = j.at("i").get<std::string>();
    c.journey = j.at("j").get<std::string>();
    c.version = j.at("v").get<uint64_t>();
    c.entry = j.at("e").get<uint32_t>();
    c.step = j.at("s").get<std::string>();
    c.channel = j.at("c").get<std::string>();
    if (c.click) c.url = j.at("u").get<std::string>();
    if (c.unsubscribe) c.consent = j.at("n").get<std::string>();
    return c;
  } catch (const nlohmann::json::exception&) {
    return invalid;
  }
}

std::string AddTracking(std::string_view html, const TrackingClaims& base,
                        std::string_view public_url, std::string_view secret,
                        const std::vector<std::string>& allowed_hosts) {
  std::string out;
  out.reserve(html.size() + 512);
  size_t pos = 0;
  ForEachHref(html, [&](size_t begin, size_t end) {
    std::string url = UnescapeHtml(html.substr(begin, end - begin));
    if (!Allowed(allowed_hosts, UrlHost(url))) return;
    out.append(html.substr(pos, begin - pos));
    TrackingClaims click = base;
    click.click = true;
    click.url = std::move(url);
    out.append(public_url);
    out += "/t/c/";
    out += SignToken(click, secret);
    pos = end;
  });
  out.append(html.substr(pos));
  TrackingClaims open = base;
  open.click = false;
  open.url.clear();
  std::string pixel = std::string("<img src=\"") + std::string(public_url) + "/t/o/" +
                      SignToken(open, secret) +
                      ".gif\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
  size_t body_end = FindNoCase(out, "</body>", 0);
  if (body_end == std::string::npos) {
    out += pixel;
  } else {
    out.insert(body_end, pixel);
  }
  return out;
}

}  // namespace signpost::delivery
