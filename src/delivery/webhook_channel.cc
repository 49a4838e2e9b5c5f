// The webhook channel over cpp-httplib (see channels.h).
#include <fmt/format.h>
#include <httplib.h>

#include "delivery/channels.h"
#include "delivery/signing.h"

namespace signpost::delivery {

WebhookSession::WebhookSession(const ChannelDef& c, bool keep_open) : keep_open_(keep_open) {
  // url = scheme://host[:port] + path (validated at apply).
  size_t host_start = c.url.find("://") + 3;
  size_t path_start = c.url.find('/', host_start);
  path_ = path_start == std::string::npos ? "/" : c.url.substr(path_start);
  client_ = std::make_unique<httplib::Client>(c.url.substr(0, path_start));
  const time_t secs = static_cast<time_t>(c.timeout_ms / 1000);
  const time_t usecs = static_cast<time_t>((c.timeout_ms % 1000) * 1000);
  client_->set_connection_timeout(secs, usecs);
  client_->set_read_timeout(secs, usecs);
  client_->set_write_timeout(secs, usecs);
  client_->set_keep_alive(keep_open);
  // The headers and the body go out in two writes: on a kept connection Nagle's algorithm would
  // hold the body back until the server's delayed ACK (~40 ms a request).
  client_->set_tcp_nodelay(true);
}

WebhookSession::~WebhookSession() = default;

SendOutcome WebhookSession::Send(const ChannelDef& c, const Message& m, const Rendered& r) {
  const std::string body =
      WebhookBody(c, m, r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  httplib::Headers headers = {{"Idempotency-Key", m.key}, {"User-Agent", "signpost"}};
  if (!c.secret.empty())
    headers.emplace("X-Signpost-Signature", "sha256=" + Hex(HmacSha256(c.secret, body)));
  const bool reused = keep_open_ && sends_++ > 0;
  auto res = client_->Post(path_, headers, body, "application/json");
  if (!res && reused &&
      (res.error() == httplib::Error::Read || res.error() == httplib::Error::Write)) {
    // The kept connection was closed under us: once more on a new one, with the same key.
    res = client_->Post(path_, headers, body, "application/json");
  }
  if (!res)
    return {SendStatus::kTransient,
            fmt::format("webhook {}: {}", c.url, httplib::to_string(res.error()))};
  const int status = res->status;
  if (status >= 200 && status < 300) return {SendStatus::kAccepted, ""};
  std::string answer = res->body.substr(0, 200);
  std::string what =
      fmt::format("webhook {}: HTTP {}{}{}", c.url, status, answer.empty() ? "" : ": ", answer);
  if (status == 408 || status == 429 || status >= 500) return {SendStatus::kTransient, what};
  return {SendStatus::kPermanent, what};
}

SendOutcome SendWebhook(const ChannelDef& c, const Message& m, const Rendered& r) {
  WebhookSession session(c, /*keep_open=*/false);
  return session.Send(c, m, r);
}

}  // namespace signpost::delivery
