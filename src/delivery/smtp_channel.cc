// The smtp channel over libcurl (see channels.h).
#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>

#include "delivery/channels.h"
#include "delivery/mime.h"

namespace signpost::delivery {

namespace {

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

}  // namespace

SendOutcome SendSmtp(const ChannelDef& c, const Message& m, const Rendered& r, TimeMs now) {
  if (!PlausibleAddress(m.to))
    return {SendStatus::kPermanent, fmt::format("'{}' is not an email address", m.to)};
  static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!curl_ready) return {SendStatus::kTransient, "libcurl could not be initialized"};
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {SendStatus::kTransient, "libcurl could not create a handle"};
  const std::string mime = BuildMime(c.from, m, r, now);
  const std::string from = "<" + AddressOf(c.from) + ">";
  const std::string rcpt = "<" + m.to + ">";
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpts(
      curl_slist_append(nullptr, rcpt.c_str()), curl_slist_free_all);
  Upload up{mime};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, c.url.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &up);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(c.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(c.timeout_ms));
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
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK) return {SendStatus::kAccepted, ""};
  std::string what = fmt::format("smtp {}: {}{}", c.url, error[0] ? error : curl_easy_strerror(rc),
                                 code ? fmt::format(" (reply {})", code) : "");
  if (code >= 500) return {SendStatus::kPermanent, what};
  if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_LOGIN_DENIED)
    return {SendStatus::kPermanent, what};
  return {SendStatus::kTransient, what};
}

}  // namespace signpost::delivery
