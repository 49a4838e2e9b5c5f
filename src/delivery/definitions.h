// The delivery definitions: `kind: channel` (where and how messages go) and `kind: template`
// (what a message says). Parsed from YAML or JSON and validated completely; every error names the
// field, the YAML line, and the fix. See README.md for every field.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/template_text.h"
#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::delivery {

enum class ChannelType { kSmtp, kWebhook, kFile };

// "smtp" | "webhook" | "file".
std::string_view ChannelTypeName(ChannelType type);

struct ChannelDef {
  std::string id;
  ChannelType type = ChannelType::kFile;
  std::string url;       // smtp(s)://host:port or http(s)://host[:port]/path
  std::string username;  // smtp login (optional)
  std::string password;
  std::string from;  // smtp: "Name <addr>" or "addr"
  std::string
      secret;  // webhook: HMAC-SHA256 key of the X-Signpost-Signature header ("" = unsigned)
  // webhook: the JSON body with templated string leaves; null = the full message JSON.
  nlohmann::json payload;
  std::string path;  // file: NDJSON file, relative to the data folder unless absolute
  DurationMs timeout_ms = 10 * kSecondMs;  // one provider call
  // The consent trait checked before each send: "email", "sms", "push", or "" (none needed).
  // Default: the id when it is email/sms/push, else "email" for smtp, else none.
  std::string consent;
  // `cost_per_message`: what one message costs, in the workspace's currency unit (e.g. 0.002);
  // the money report's default for this channel. nullopt when not set.
  std::optional<double> cost_per_message;
  // `link_hosts`: hosts whose links are tracked even when a placeholder wrote them (beside the
  // hosts the template's html writes itself; see delivery::TemplateLinkHosts). Lower case.
  std::vector<std::string> link_hosts;
  // smtp: `unsubscribe_mailto`, an address whose mailto: URL List-Unsubscribe names beside the
  // one-click URL ("" = the one-click URL alone).
  std::string unsubscribe_mailto;
  // `rate_limit: { per_second: 50, burst: 100 }`: at most `burst` messages at once and
  // `per_second` on average through this channel (a token bucket shared by the delivery workers).
  // 0 = no limit. burst defaults to max(1, per_second).
  double rate_per_second = 0;
  double rate_burst = 0;
};

struct TemplateDef {
  std::string id;
  std::string channel;  // a channel id
  std::string subject;  // email subject (push title); itself a template
  std::string html;     // email html body
  std::string text;     // email plain-text body
  std::string body;     // sms / push / webhook / file body
};

// Parses and validates a `kind: channel` definition.
Result<ChannelDef> ParseChannel(std::string_view text);
// Parses and validates a `kind: template` definition: fields and template syntax. Whether its
// fields fit its channel is CheckTemplateFits.
Result<TemplateDef> ParseTemplate(std::string_view text);
// kInvalidArgument when `t` lacks what a channel of `type` sends (email: subject and html or text;
// other channels: body) or has fields that channel never sends.
Status CheckTemplateFits(const TemplateDef& t, ChannelType type);
// The parsed string leaves of a webhook payload template, validated (roots: the message roots plus
// body, subject, key, channel, step). `field` names the payload in errors.
Status CheckPayload(const nlohmann::json& payload, const std::string& field);
// The roots a webhook payload template may use.
inline const std::vector<std::string_view> kPayloadRoots = {
    "traits", "event",   "entry", "journey",        "to", "body", "subject",
    "key",    "channel", "step",  "unsubscribe_url"};

}  // namespace signpost::delivery
