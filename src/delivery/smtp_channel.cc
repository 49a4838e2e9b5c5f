// The smtp channel over libcurl (see channels.h).
#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>

#include "delivery/channels.h"
#include "delivery/mime.h"

namespace signpost::delivery {

namespace {

// How long a kept connection may sit idle before libcurl closes it instead of reusing it: below
// the usual SMTP server idle timeouts (RFC 5321 4.5.3.2.7 asks servers for 5 minutes).
constexpr long kMaxIdleSeconds = 30;

// libcurl reads the message from here.
struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * count, up->data.size() - up->offset);
  std::memcpy(buffer, up->data.data() + up->offset, n);
  up->offset += n;
  return n;
}

// True when `to` is a single plausible address (one '@', no spaces, brackets or line breaks).
bool PlausibleAddress(std::string_view to) {
  size_t at = to.find('@');
  return !to.empty() && at != std::string_view::npos && at > 0 && at + 1 < to.size() &&
         to.find('@', at + 1) == std::string_view::npos &&
         to.find_first_of(" \t\r\n<>,;") == std::string_view::npos;
}

bool CurlReady() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

// Whether a failure on a reused connection says the server had closed it (so the message never
// reached it and a new connection should carry it).
bool StaleConnection(CURLcode rc, long reply) {
  return rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING ||
         reply == 421;
}

}  // namespace

SmtpSession::SmtpSession(bool keep_open) : keep_open_(keep_open) {
  if (CurlReady()) curl_ = curl_easy_init();
}

SmtpSession::~SmtpSession() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));  // QUIT on open ones
}

SendOutcome SmtpSession::Send(const ChannelDef& c, const Message& m, const Rendered& r,
                              TimeMs now) {
  if (!PlausibleAddress(m.to))
    return {SendStatus::kPermanent, fmt::format("'{}' is not an email address", m.to)};
  if (curl_ == nullptr) return {SendStatus::kTransient, "libcurl could not create a handle"};
  CURL* h = static_cast<CURL*>(curl_);
  const std::string mime = BuildMime(c.from, m, r, now);
  const std::string from = "<" + AddressOf(c.from) + ">";
  const std::string rcpt = "<" + m.to + ">";
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpts(
      curl_slist_append(nullptr, rcpt.c_str()), curl_slist_free_all);
  Upload up{mime};
  curl_easy_setopt(h, CURLOPT_URL, c.url.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &up);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(c.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(c.timeout_ms));
  curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, kMaxIdleSeconds);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, keep_open_ ? 0L : 1L);
  if (!c.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, c.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, c.password.c_str());
    // Credentials only over TLS: STARTTLS on smtp://, implicit TLS on smtps://.
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(h);
  long code = 0;
  long connects = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  connections_ += static_cast<uint64_t>(connects);
  if (rc != CURLE_OK && connects == 0 && StaleConnection(rc, code)) {
    // The kept connection was closed by the server: once more on a new one.
    up.offset = 0;
    error[0] = 0;
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 0L);
    code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    connections_ += static_cast<uint64_t>(connects);
  }
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(h, CURLOPT_READDATA, nullptr);
  if (rc == CURLE_OK) return {SendStatus::kAccepted, ""};
  std::string what = fmt::format("smtp {}: {}{}", c.url, error[0] ? error : curl_easy_strerror(rc),
                                 code ? fmt::format(" (reply {})", code) : "");
  if (code >= 500) return {SendStatus::kPermanent, what};
  if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_LOGIN_DENIED)
    return {SendStatus::kPermanent, what};
  return {SendStatus::kTransient, what};
}

SendOutcome SendSmtp(const ChannelDef& c, const Message& m, const Rendered& r, TimeMs now) {
  SmtpSession session(/*keep_open=*/false);
  return session.Send(c, m, r, now);
}

}  // namespace signpost::delivery
