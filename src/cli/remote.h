// Remote mode of the command line: the HTTP client that sends one admin API request to a running
// `signpost serve` (Globals::server, with the admin token Globals::token) and turns its reply into
// the same Result a local Engine call gives, so every command prints the same text, JSON, `error:`
// line and exit code in both modes. Built on libcurl: TLS verified (Globals::cacert adds a CA,
// Globals::insecure skips the check), Globals::timeout_s per request, replies bounded by
// kMaxRemoteReplyBytes.
// Thread-safety: every function may be called from any thread; each call uses its own handle.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "signpost/status.h"

namespace signpost::cli {

// A reply larger than this is refused (kResourceExhausted) without being read further.
inline constexpr size_t kMaxRemoteReplyBytes = size_t{512} << 20;

// True when the command runs against a server (Globals::server is set) instead of --data.
bool IsRemote(const Globals& g);

// Sends `method` `path_and_query` (e.g. "/api/profiles/user%3A42?limit=5"; encode values with
// UrlEncode / QueryString) to g.server with `Authorization: Bearer g.token`, and `body` (with
// `content_type`) unless empty. Returns the reply's JSON document on a 2xx reply (null for an
// empty body). On a refusal, the server's error reply {"error":{"code","message"}} as that Status,
// so PrintError prints the same `error: ...` as local mode; a reply without one becomes
// kInternal naming the HTTP status. kIoError naming the URL when the server cannot be reached
// (refused connection, unknown host, TLS failure, timeout); kResourceExhausted for a reply over
// kMaxRemoteReplyBytes.
Result<nlohmann::json> RemoteCall(const Globals& g, std::string_view method,
                                  std::string_view path_and_query, std::string_view body = {},
                                  std::string_view content_type = "application/json");

// The Status of an HTTP reply that is not a 2xx: the API's error document when `body` is one,
// else kInternal naming `http_status` and the start of the body. `url` names the server in
// messages (401: how to give a token).
Status RemoteError(long http_status, std::string_view body, std::string_view url);

// `s` percent-encoded for one path segment or query value (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s);

// "?k1=v1&k2=v2" of a JSON object (strings as they are, other values dumped), keys in the
// object's order, each encoded; "" for an empty object.
std::string QueryString(const nlohmann::json& params);

}  // namespace signpost::cli
