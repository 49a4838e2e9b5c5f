// Rendering: a template filled in for one message. Subject and plain text as they are, html with
// values HTML-escaped and (when tracking is given) the open pixel and rewritten links, body as it
// is. Pure: any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "delivery/definitions.h"
#include "delivery/message.h"
#include "delivery/tracking.h"

namespace signpost::delivery {

struct Rendered {
  std::string subject, text, html, body;  // "" when the template has no such field
  // The signed one-click unsubscribe URL (<public_url>/t/u/<token>) when the channel needs consent
  // and tracking is set up; "" otherwise. Email: List-Unsubscribe / List-Unsubscribe-Post headers.
  std::string unsubscribe_url;
  // "mailto:<address>?subject=unsubscribe%20<token>" with the channel's `unsubscribe_mailto`.
  std::string unsubscribe_mailto;
};

// Where tracked links point: the public base URL and the signing secret.
struct TrackingSetup {
  std::string public_url;  // no trailing slash
  std::string secret;
  // The channel's `link_hosts`: hosts a placeholder may choose for a tracked link, beside those
  // the template's html writes out itself (TemplateLinkHosts).
  std::vector<std::string> link_hosts;
  // The consent trait a send through the channel needs ("email", "sms", "push"; "" = none): a
  // message that needs one gets an unsubscribe URL whose token names it.
  std::string consent;
  // The channel's `unsubscribe_mailto` address ("" = none).
  std::string unsubscribe_mailto;
};

// The values placeholders read: the message's vars plus "to".
nlohmann::json MessageVars(const Message& m);
// Renders `t` for `m` (the message's own subject, when set, replaces the template's).
// kInvalidArgument when a field does not parse (definitions are validated at apply, so only a
// definition stored by an older version can fail here).
Result<Rendered> RenderMessage(const TemplateDef& t, const Message& m,
                               const TrackingSetup* tracking);
// The JSON body a webhook channel sends: its payload template rendered (string leaves), or the
// default body with every message field and the rendered texts.
nlohmann::json WebhookBody(const ChannelDef& c, const Message& m, const Rendered& r);
// MessageSummaryJson plus the rendered subject, body, text, html and unsubscribe_url that are not
// empty.
nlohmann::json RenderedJson(const Message& m, const Rendered& r);

}  // namespace signpost::delivery
