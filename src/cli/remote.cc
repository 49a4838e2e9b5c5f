#include "cli/remote.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <mutex>

namespace signpost::cli {

namespace {

using nlohmann::json;

constexpr long kConnectTimeoutMs = 10'000;

// The Code whose CodeName is `name`; kInternal for a name this build does not know.
Code CodeNamed(std::string_view name) {
  for (Code c : {Code::kInvalidArgument, Code::kNotFound, Code::kAlreadyExists,
                 Code::kFailedPrecondition, Code::kUnauthenticated, Code::kResourceExhausted,
                 Code::kCorruption, Code::kIoError, Code::kInternal}) {
    if (CodeName(c) == name) return c;
  }
  return Code::kInternal;
}

// The reply body, refused past kMaxRemoteReplyBytes.
struct ReplyBuffer {
  std::string data;
  bool too_big = false;
};

size_t AppendReply(char* bytes, size_t size, size_t count, void* user) {
  auto* reply = static_cast<ReplyBuffer*>(user);
  const size_t n = size * count;
  if (reply->data.size() + n > kMaxRemoteReplyBytes) {
    reply->too_big = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  reply->data.append(bytes, n);
  return n;
}

std::string ServerBase(const Globals& g) {
  std::string base = g.server;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

bool IsRemote(const Globals& g) { return !g.server.empty(); }

std::string UrlEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(char(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string QueryString(const json& params) {
  std::string out;
  for (const auto& [key, value] : params.items()) {
    out += out.empty() ? '?' : '&';
    out += UrlEncode(key) + '=' +
           UrlEncode(value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

Status RemoteError(long http_status, std::string_view body, std::string_view url) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool api_error = doc.is_object() && doc.contains("error") && doc["error"].is_object() &&
                         doc["error"].contains("message") && doc["error"]["message"].is_string();
  if (http_status == 401) {
    return Status::Unauthenticated(fmt::format(
        "{} refused the admin token: give a live one with --token, SIGNPOST_TOKEN or `token:` in "
        "the config file (the server prints one on its first start; `signpost keys create --kind "
        "admin` makes more)",
        url));
  }
  if (api_error) {
    const json& e = doc["error"];
    const Code code = e.contains("code") && e["code"].is_string()
                          ? CodeNamed(e["code"].get<std::string>())
                          : Code::kInternal;
    return Status(code == Code::kOk ? Code::kInternal : code, e["message"].get<std::string>());
  }
  std::string start(body.substr(0, 200));
  for (char& c : start) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return Status::Internal(
      fmt::format("{} answered HTTP {}{}", url, http_status, start.empty() ? "" : ": " + start));
}

Result<json> RemoteCall(const Globals& g, std::string_view method, std::string_view path_and_query,
                        std::string_view body, std::string_view content_type) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const std::string base = ServerBase(g);
  const std::string url = base + std::string(path_and_query);
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::Internal("cannot start an HTTP client (curl_easy_init)");
  CURL* c = curl.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  ReplyBuffer reply;
  curl_slist* raw_headers = nullptr;
  raw_headers = curl_slist_append(raw_headers, "Accept: application/json");
  if (!g.token.empty())
    raw_headers = curl_slist_append(raw_headers, ("Authorization: Bearer " + g.token).c_str());
  if (!body.empty())
    raw_headers =
        curl_slist_append(raw_headers, ("Content-Type: " + std::string(content_type)).c_str());
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
  const std::string verb(method);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(g.timeout_s * 1000));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "signpost-cli");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl decodes
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(kMaxRemoteReplyBytes));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendReply);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, g.insecure ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, g.insecure ? 0L : 2L);
  if (!g.cacert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, g.cacert.c_str());
  if (verb == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, verb.c_str());
    if (verb != "DELETE" || !body.empty()) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
    }
  }
  const CURLcode rc = curl_easy_perform(c);
  if (reply.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
    return Status::ResourceExhausted(
        fmt::format("{} {}: the reply is over {} MiB, the most the command line reads; ask for "
                    "less (e.g. a smaller --limit)",
                    verb, url, kMaxRemoteReplyBytes >> 20));
  }
  if (rc != CURLE_OK) {
    const std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    std::string hint;
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
      hint =
          "; is `signpost serve` running there? (the server comes from --server, "
          "SIGNPOST_SERVER or `server:` in the config file)";
    else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
             rc == CURLE_SSL_CONNECT_ERROR)
      hint = "; for a self-signed certificate give its CA with --cacert FILE (or --insecure)";
    else if (rc == CURLE_OPERATION_TIMEDOUT)
      hint = fmt::format("; no reply within {} s (--timeout)", g.timeout_s);
    return Status::IoError(
        fmt::format("cannot reach the signpost server at {}: {}{}", base, why, hint));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) return RemoteError(status, reply.data, base);
  if (reply.data.empty()) return json();
  json doc = json::parse(reply.data, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return Status::Internal(
        fmt::format("{} {}: the reply (HTTP {}) is not JSON; is {} a signpost "
                    "server?",
                    verb, url, status, base));
  return doc;
}

}  // namespace signpost::cli
