#include "delivery/definitions.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "base/duration.h"
#include "delivery/tracking.h"

namespace signpost::delivery {

namespace {

Status Bad(const YAML::Node& node, std::string_view field, std::string_view what) {
  if (node && node.Mark().line >= 0)
    return Status::InvalidArgument(
        fmt::format("{}: {} (line {})", field, what, node.Mark().line + 1));
  return Status::InvalidArgument(fmt::format("{}: {}", field, what));
}

// `s` with the YAML line of `node` appended.
Status WithLine(const YAML::Node& node, const Status& s) {
  if (s.ok() || node.Mark().line < 0) return s;
  return Status::InvalidArgument(
      fmt::format("{} (YAML line {})", s.message(), node.Mark().line + 1));
}

Result<YAML::Node> LoadMap(std::string_view text, std::string_view kind) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}: not valid YAML or JSON (line {}, column {}: {})", kind, e.mark.line + 1,
                    e.mark.column + 1, e.msg));
  }
  if (!root.IsMap()) return Status::InvalidArgument(fmt::format("{}: expected a mapping", kind));
  return root;
}

// Refuses keys outside `allowed`, naming the allowed ones.
Status OnlyKeys(const YAML::Node& map, const std::set<std::string>& allowed,
                std::string_view what) {
  for (const auto& kv : map) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (allowed.count(key)) continue;
    std::string list;
    for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
    return Bad(kv.first, key, fmt::format("not a field of a {}; the fields are {}", what, list));
  }
  return Status::Ok();
}

// The scalar at `map[key]`; "" when absent; an error when present but not a scalar.
Result<std::string> Text(const YAML::Node& map, const std::string& key) {
  YAML::Node n = map[key];
  if (!n) return std::string();
  if (!n.IsScalar()) return Bad(n, key, "expected a text value");
  return n.Scalar();
}

Result<std::string> Required(const YAML::Node& map, const std::string& key, std::string_view fix) {
  SP_ASSIGN_OR_RETURN(std::string v, Text(map, key));
  if (v.empty()) return Bad(map, key, fmt::format("missing; {}", fix));
  return v;
}

nlohmann::json ToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& item : n) a.push_back(ToJson(item));
    return a;
  }
  if (n.IsScalar()) return n.Scalar();
  return nullptr;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The host part of a URL after its scheme ("" when missing).
std::string_view HostOf(std::string_view url) {
  size_t at = url.find("://");
  if (at == std::string_view::npos) return "";
  std::string_view rest = url.substr(at + 3);
  return rest.substr(0, rest.find_first_of("/?#"));
}

Status CheckUrl(const YAML::Node& node, std::string_view url, ChannelType type) {
  const bool smtp = type == ChannelType::kSmtp;
  bool scheme_ok = smtp ? (StartsWith(url, "smtp://") || StartsWith(url, "smtps://"))
                        : (StartsWith(url, "http://") || StartsWith(url, "https://"));
  if (!scheme_ok)
    return Bad(node, "url",
               smtp ? "an smtp channel needs smtp://host:port or smtps://host:port"
                    : "a webhook channel needs an http:// or https:// URL");
  std::string_view host = HostOf(url);
  if (host.empty() || host.front() == ':')
    return Bad(node, "url", "no host; write e.g. smtp://mail.example.com:587");
  if (url.find_first_of(" \t\r\n") != std::string_view::npos)
    return Bad(node, "url", "contains white space");
  return Status::Ok();
}

// Checks every string leaf of `payload` as a template.
Status CheckLeaves(const nlohmann::json& v, const std::string& field) {
  if (v.is_string())
    return TemplateText::Parse(v.get<std::string>(), field, kPayloadRoots).status();
  if (v.is_object()) {
    for (const auto& [k, item] : v.items()) SP_RETURN_IF_ERROR(CheckLeaves(item, field + "." + k));
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i)
      SP_RETURN_IF_ERROR(CheckLeaves(v[i], fmt::format("{}[{}]", field, i)));
  }
  return Status::Ok();
}

// A number in (0, max] at `node`, or an error naming `field` and `fix`.
Result<double> PositiveNumber(const YAML::Node& node, std::string_view field, double max,
                              std::string_view fix) {
  const std::string t = node.IsScalar() ? node.Scalar() : "";
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v) || v <= 0 || v > max)
    return Bad(node, field,
               fmt::format("{} is not a number above 0 and at most {}; {}",
                           node.IsScalar() ? "'" + t + "'" : "a list or mapping", max, fix));
  return v;
}

// `rate_limit: { per_second: N, burst: M }`.
Status ParseRateLimit(const YAML::Node& n, ChannelDef& c) {
  constexpr std::string_view kFix =
      "write e.g. rate_limit: { per_second: 50 } or rate_limit: { per_second: 0.5, burst: 10 }";
  if (!n.IsMap()) return Bad(n, "rate_limit", fmt::format("expected a mapping; {}", kFix));
  for (const auto& kv : n) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (key != "per_second" && key != "burst")
      return Bad(kv.first, "rate_limit." + key,
                 fmt::format("not a field of rate_limit (per_second, burst); {}", kFix));
  }
  if (!n["per_second"]) return Bad(n, "rate_limit.per_second", fmt::format("missing; {}", kFix));
  SP_ASSIGN_OR_RETURN(c.rate_per_second,
                      PositiveNumber(n["per_second"], "rate_limit.per_second", 1e6, kFix));
  c.rate_burst = std::max(1.0, c.rate_per_second);
  if (n["burst"]) {
    SP_ASSIGN_OR_RETURN(c.rate_burst, PositiveNumber(n["burst"], "rate_limit.burst", 1e6, kFix));
    if (c.rate_burst < 1 || c.rate_burst != std::floor(c.rate_burst))
      return Bad(n["burst"], "rate_limit.burst",
                 fmt::format("expected a whole number of messages, at least 1; {}", kFix));
  }
  return Status::Ok();
}

}  // namespace

std::string_view ChannelTypeName(ChannelType type) {
  switch (type) {
    case ChannelType::kSmtp:
      return "smtp";
    case ChannelType::kWebhook:
      return "webhook";
    case ChannelType::kFile:
      return "file";
  }
  return "file";
}

Status CheckPayload(const nlohmann::json& payload, const std::string& field) {
  if (!payload.is_object() && !payload.is_array())
    return Status::InvalidArgument(
        field + ": expected a mapping, e.g. { to: \"{{to}}\", text: \"{{body}}\" }");
  return CheckLeaves(payload, field);
}

Result<ChannelDef> ParseChannel(std::string_view text) {
  SP_ASSIGN_OR_RETURN(YAML::Node root, LoadMap(text, "channel"));
  SP_RETURN_IF_ERROR(
      OnlyKeys(root,
               {"kind", "id", "type", "url", "username", "password", "from", "secret", "payload",
                "path", "timeout", "consent", "cost_per_message", "link_hosts",
                "unsubscribe_mailto", "rate_limit", "name", "description"},
               "channel"));
  ChannelDef c;
  SP_ASSIGN_OR_RETURN(c.id, Required(root, "id", "give the channel an `id`, e.g. id: email"));
  SP_ASSIGN_OR_RETURN(std::string type, Required(root, "type", "use type: smtp, webhook or file"));
  if (type == "smtp") {
    c.type = ChannelType::kSmtp;
  } else if (type == "webhook") {
    c.type = ChannelType::kWebhook;
  } else if (type == "file") {
    c.type = ChannelType::kFile;
  } else {
    return Bad(root["type"], "type",
               fmt::format("'{}' is not a channel type; use smtp, webhook or file", type));
  }
  SP_ASSIGN_OR_RETURN(c.url, Text(root, "url"));
  SP_ASSIGN_OR_RETURN(c.username, Text(root, "username"));
  SP_ASSIGN_OR_RETURN(c.password, Text(root, "password"));
  SP_ASSIGN_OR_RETURN(c.from, Text(root, "from"));
  SP_ASSIGN_OR_RETURN(c.secret, Text(root, "secret"));
  SP_ASSIGN_OR_RETURN(c.path, Text(root, "path"));
  SP_ASSIGN_OR_RETURN(c.consent, Text(root, "consent"));
  auto only_for = [&](const char* key, ChannelType t, const char* fix) -> Status {
    if (root[key] && c.type != t)
      return Bad(root[key], key, fmt::format("a {} channel has no `{}`; {}", type, key, fix));
    return Status::Ok();
  };
  SP_RETURN_IF_ERROR(only_for("from", ChannelType::kSmtp, "remove it"));
  SP_RETURN_IF_ERROR(only_for("username", ChannelType::kSmtp, "remove it"));
  SP_RETURN_IF_ERROR(only_for("password", ChannelType::kSmtp, "remove it"));
  SP_RETURN_IF_ERROR(only_for("secret", ChannelType::kWebhook, "remove it"));
  SP_RETURN_IF_ERROR(only_for("payload", ChannelType::kWebhook, "remove it"));
  SP_RETURN_IF_ERROR(only_for("path", ChannelType::kFile, "remove it"));
  SP_RETURN_IF_ERROR(only_for("unsubscribe_mailto", ChannelType::kSmtp, "remove it"));
  SP_ASSIGN_OR_RETURN(c.unsubscribe_mailto, Text(root, "unsubscribe_mailto"));
  if (!c.unsubscribe_mailto.empty() &&
      (c.unsubscribe_mailto.find('@') == std::string::npos ||
       c.unsubscribe_mailto.find_first_of(" \t\r\n<>,;?&%\"") != std::string::npos))
    return Bad(root["unsubscribe_mailto"], "unsubscribe_mailto",
               "expected a bare address, e.g. unsubscribe_mailto: unsubscribe@example.com");
  if (root["rate_limit"]) SP_RETURN_IF_ERROR(ParseRateLimit(root["rate_limit"], c));
  if (c.type == ChannelType::kFile) {
    if (root["url"]) return Bad(root["url"], "url", "a file channel writes to `path`, not a url");
    if (c.path.empty()) c.path = c.id + ".ndjson";
  } else {
    if (c.url.empty())
      return Bad(root, "url",
                 c.type == ChannelType::kSmtp
                     ? "missing; write e.g. url: smtp://127.0.0.1:2525"
                     : "missing; write e.g. url: https://hooks.example.com/sms");
    SP_RETURN_IF_ERROR(CheckUrl(root["url"], c.url, c.type));
  }
  if (c.type == ChannelType::kSmtp) {
    if (c.from.empty())
      return Bad(root, "from", "missing; write e.g. from: \"Shop <shop@example.com>\"");
    size_t lt = c.from.find('<');
    std::string_view addr = lt == std::string::npos ? std::string_view(c.from)
                                                    : std::string_view(c.from).substr(lt + 1);
    if (addr.find('@') == std::string_view::npos ||
        c.from.find_first_of("\r\n") != std::string::npos ||
        (lt != std::string::npos && c.from.find('>', lt) == std::string::npos))
      return Bad(root["from"], "from",
                 "expected an address, e.g. \"Shop <shop@example.com>\" or shop@example.com");
    if (c.username.empty() != c.password.empty())
      return Bad(root, c.username.empty() ? "username" : "password",
                 "give both username and password, or neither");
  }
  if (root["payload"]) {
    c.payload = ToJson(root["payload"]);
    Status s = CheckPayload(c.payload, "payload");
    if (!s.ok()) return WithLine(root["payload"], s);
  }
  if (root["timeout"]) {
    SP_ASSIGN_OR_RETURN(std::string t, Text(root, "timeout"));
    auto d = ParseDuration(t);
    if (!d.ok() || *d <= 0 || *d > 5 * kMinuteMs)
      return Bad(root["timeout"], "timeout", "expected a duration between 1ms and 5m, e.g. 10s");
    c.timeout_ms = *d;
  }
  if (root["cost_per_message"]) {
    const YAML::Node n = root["cost_per_message"];
    const std::string t = n.IsScalar() ? n.Scalar() : "";
    char* end = nullptr;
    const double cost = std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(cost) || cost < 0)
      return Bad(n, "cost_per_message",
                 fmt::format("{} is not an amount; give the cost of one message in currency "
                             "units, a number >= 0 such as cost_per_message: 0.002",
                             n.IsScalar() ? "'" + t + "'" : "a list or mapping"));
    c.cost_per_message = cost;
  }
  if (root["link_hosts"]) {
    const YAML::Node n = root["link_hosts"];
    constexpr std::string_view kFix =
        "a list of host names a placeholder may choose for a tracked link, e.g. link_hosts: "
        "[shop.example.com, help.example.com]";
    if (!n.IsSequence()) return Bad(n, "link_hosts", kFix);
    for (size_t i = 0; i < n.size(); ++i) {
      const std::string field = fmt::format("link_hosts[{}]", i);
      const std::string host = n[i].IsScalar() ? n[i].Scalar() : "";
      // A bare host: what UrlHost gives back for https://HOST/ unchanged.
      if (host.empty() || host.size() > 253 || UrlHost("https://" + host + "/") != host)
        return Bad(n[i], field, fmt::format("'{}' is not a lower-case host name; {}", host, kFix));
      c.link_hosts.push_back(host);
    }
  }
  if (!c.consent.empty() && c.consent != "email" && c.consent != "sms" && c.consent != "push" &&
      c.consent != "none")
    return Bad(root["consent"], "consent",
               "use email, sms, push or none (the consent trait checked before sending)");
  if (c.consent == "none") {
    c.consent.clear();
  } else if (c.consent.empty()) {
    if (c.id == "email" || c.id == "sms" || c.id == "push") {
      c.consent = c.id;
    } else if (c.type == ChannelType::kSmtp) {
      c.consent = "email";
    }
  }
  return c;
}

Result<TemplateDef> ParseTemplate(std::string_view text) {
  SP_ASSIGN_OR_RETURN(YAML::Node root, LoadMap(text, "template"));
  SP_RETURN_IF_ERROR(OnlyKeys(
      root, {"kind", "id", "channel", "subject", "html", "text", "body", "name", "description"},
      "template"));
  TemplateDef t;
  SP_ASSIGN_OR_RETURN(t.id,
                      Required(root, "id", "give the template an `id`, e.g. id: cart-reminder"));
  SP_ASSIGN_OR_RETURN(
      t.channel,
      Required(root, "channel", "name the channel it is sent through, e.g. channel: email"));
  SP_ASSIGN_OR_RETURN(t.subject, Text(root, "subject"));
  SP_ASSIGN_OR_RETURN(t.html, Text(root, "html"));
  SP_ASSIGN_OR_RETURN(t.text, Text(root, "text"));
  SP_ASSIGN_OR_RETURN(t.body, Text(root, "body"));
  for (const char* key : {"subject", "html", "text", "body"}) {
    if (!root[key]) continue;
    auto parsed = TemplateText::Parse(root[key].Scalar(), key);
    if (!parsed.ok()) return WithLine(root[key], parsed.status());
  }
  return t;
}

Status CheckTemplateFits(const TemplateDef& t, ChannelType type) {
  auto bad = [&](std::string_view field, std::string_view what) {
    return Status::InvalidArgument(fmt::format("{}: {}", field, what));
  };
  switch (type) {
    case ChannelType::kSmtp:
      if (t.subject.empty())
        return bad("subject",
                   fmt::format("missing; an email (channel {}) needs a subject", t.channel));
      if (t.html.empty() && t.text.empty())
        return bad("html", fmt::format("missing; an email (channel {}) needs html, text or both",
                                       t.channel));
      if (!t.body.empty())
        return bad("body", "an email has no `body`; use `text` (plain) and/or `html`");
      return Status::Ok();
    case ChannelType::kWebhook:
      if (t.body.empty())
        return bad("body", fmt::format("missing; channel {} (webhook) sends a `body`", t.channel));
      if (!t.html.empty() || !t.text.empty())
        return bad(t.html.empty() ? "text" : "html",
                   fmt::format("channel {} is a webhook (sms, push): use `body`, not html/text",
                               t.channel));
      return Status::Ok();
    case ChannelType::kFile:
      if (t.body.empty() && t.html.empty() && t.text.empty())
        return bad("body", "missing; give body, or text and/or html");
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace signpost::delivery
