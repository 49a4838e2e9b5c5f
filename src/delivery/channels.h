// The channels: one provider call per message. Each returns how the provider answered, classified
// for the retry policy (retry.h): accepted, transient (try again later) or permanent (never).
//   smtp     libcurl: MAIL FROM / RCPT TO / DATA with the MIME text of mime.h. Connection errors,
//            timeouts and SMTP 4xx are transient; SMTP 5xx and a bad recipient address permanent.
//   webhook  cpp-httplib: POST of the JSON body (render.h WebhookBody) with headers
//            Content-Type: application/json, Idempotency-Key: <key>, and, with a secret,
//            X-Signpost-Signature: sha256=<hex HMAC-SHA256 of the body>. No answer (connection,
//            timeout), 408, 429 and 5xx are transient; other 4xx and 3xx permanent.
//   file     appends one NDJSON line per message to the file and fsyncs it.
// Every function blocks the calling thread for at most the channel's timeout; thread-safe (the
// file channel appends with O_APPEND, one write per line).
#pragma once

#include <string>
#include <string_view>

#include "delivery/definitions.h"
#include "delivery/message.h"
#include "delivery/render.h"

namespace signpost::delivery {

enum class SendStatus { kAccepted, kTransient, kPermanent };

struct SendOutcome {
  SendStatus status = SendStatus::kAccepted;
  std::string error;  // what the provider said or what failed; "" when accepted
};

SendOutcome SendSmtp(const ChannelDef& c, const Message& m, const Rendered& r, TimeMs now);
SendOutcome SendWebhook(const ChannelDef& c, const Message& m, const Rendered& r);
// `data_dir` resolves a relative c.path.
SendOutcome AppendToFile(const ChannelDef& c, std::string_view data_dir, const Message& m,
                         const Rendered& r, TimeMs now);
// The parts of AppendToFile, for a sender that writes many messages with one fsync: the file of
// channel `c`, the NDJSON line of one message, and the append of lines (one write, one fsync;
// accepted only when both succeed, else transient).
std::string FilePath(const ChannelDef& c, std::string_view data_dir);
std::string FileLine(const Message& m, const Rendered& r, TimeMs now);
SendOutcome AppendLines(const std::string& path, std::string_view text);

}  // namespace signpost::delivery
