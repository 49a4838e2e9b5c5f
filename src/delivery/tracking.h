// Open and click tracking and one-click unsubscribe: signed tokens and the rewriting of HTML
// email bodies.
//
// Token: base64url(JSON claims) + "." + base64url(HMAC-SHA256(secret, first part)), no padding.
// The claims say which message (key, identity, journey, version, entry, step, channel), whether it
// is an open ("t":"o"), a click ("t":"c") or an unsubscribe ("t":"u"), for a click the target
// URL, for an unsubscribe the consent trait it withdraws ("n": email|sms|push). The secret is 32
// random bytes generated once per data folder (the engine keeps it in the outbox column family),
// so a token cannot be forged or altered, and carries no secret itself.
// Pure functions: any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/status.h"

namespace signpost::delivery {

struct TrackingClaims {
  bool click = false;    // "t": "c" for a click, "o" for an open
  std::string key;       // the outbox idempotency key
  std::string identity;  // "user:X" / "anon:X": the events are recorded under it
  std::string journey;
  uint64_t version = 0;
  uint32_t entry = 0;
  std::string step;
  std::string channel;
  std::string url;           // clicks: where to redirect
  bool unsubscribe = false;  // "t": "u" (then `click` is false)
  std::string consent;       // unsubscribes: the consent trait withdrawn ("email", "sms", "push")
};

// The signed token of `claims`.
std::string SignToken(const TrackingClaims& claims, std::string_view secret);
// The claims of `token` when its signature matches `secret` and it is well formed;
// kInvalidArgument ("not a valid tracking token", nothing more) otherwise.
Result<TrackingClaims> VerifyToken(std::string_view token, std::string_view secret);

// The lower-case host of an absolute http(s) URL (port removed); "" when `url` is not http(s), or
// its authority holds user info (`@`), a backslash, white space, a control character or nothing.
std::string UrlHost(std::string_view url);

// The hosts a template's html writes out itself: of every href="http(s)://host/..." whose scheme
// and host are literal text, ended by `/`, `?`, `#` or the closing quote before any `{{`. A link
// whose host a placeholder fills in (href="{{traits.site}}", "https://{{x}}.test",
// "https://shop.test{{path}}") adds nothing.
std::vector<std::string> TemplateLinkHosts(std::string_view html_template);

// `html` with every href="http(s)://..." (single or double quotes) whose host is in
// `allowed_hosts` replaced by `public_url`/t/c/<click token> (the token carries the target, HTML
// entities decoded) and an open pixel <img src="`public_url`/t/o/<open token>.gif"> before
// </body> (or at the end). Links to any other host stay as they are, untracked, so a signed
// signpost link never redirects to a host that only a placeholder's value chose (no open
// redirect). `base` gives the message claims (its click and url are ignored).
std::string AddTracking(std::string_view html, const TrackingClaims& base,
                        std::string_view public_url, std::string_view secret,
                        const std::vector<std::string>& allowed_hosts);

}  // namespace signpost::delivery
