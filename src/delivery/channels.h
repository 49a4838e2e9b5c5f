// The channels: one provider call per message. Each returns how the provider answered, classified
// for the retry policy (retry.h): accepted, transient (try again later) or permanent (never).
//   smtp     libcurl: MAIL FROM / RCPT TO / DATA with the MIME text of mime.h. Connection errors,
//            timeouts and SMTP 4xx are transient; SMTP 5xx and a bad recipient address permanent.
//   webhook  cpp-httplib: POST of the JSON body (render.h WebhookBody) with headers
//            Content-Type: application/json, Idempotency-Key: <key>, and, with a secret,
//            X-Signpost-Signature: sha256=<hex HMAC-SHA256 of the body>. No answer (connection,
//            timeout), 408, 429 and 5xx are transient; other 4xx and 3xx permanent.
//   file     appends one NDJSON line per message to the file and fsyncs it.
// SmtpSession and WebhookSession keep their connection open between messages (connections.h pools
// them per channel); SendSmtp and SendWebhook open one for a single message and close it.
// Every function blocks the calling thread for at most the channel's timeout (twice when a reused
// connection turned out closed and the message is sent again on a new one); the free functions
// are thread-safe (the file channel appends with O_APPEND, one write per line), a session serves
// one caller at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "delivery/definitions.h"
#include "delivery/message.h"
#include "delivery/render.h"

namespace httplib {
class Client;
}

namespace signpost::delivery {

enum class SendStatus { kAccepted, kTransient, kPermanent };

struct SendOutcome {
  SendStatus status = SendStatus::kAccepted;
  std::string error;  // what the provider said or what failed; "" when accepted
};

// An SMTP client (a libcurl easy handle): the connection of one message stays open for the next
// (libcurl's connection cache; idle at most 30 s, then closed and opened again). A message sent
// on a reused connection that the server had closed meanwhile (a send or receive error, no reply,
// or 421) is sent once more on a new connection.
class SmtpSession {
 public:
  // `keep_open` false: the connection closes after each message (the behaviour before reuse).
  explicit SmtpSession(bool keep_open = true);
  ~SmtpSession();
  SmtpSession(const SmtpSession&) = delete;
  SmtpSession& operator=(const SmtpSession&) = delete;
  SendOutcome Send(const ChannelDef& c, const Message& m, const Rendered& r, TimeMs now);
  // Connections this session opened so far.
  uint64_t connections() const { return connections_; }

 private:
  void* curl_ = nullptr;  // CURL*
  bool keep_open_;
  uint64_t connections_ = 0;
};

// An HTTP client of one webhook URL with keep-alive: its connection stays open between messages;
// one the server closed is opened again (a request that fails on a reused connection with a read
// or write error is sent once more, with the same Idempotency-Key).
class WebhookSession {
 public:
  WebhookSession(const ChannelDef& c, bool keep_open = true);
  ~WebhookSession();
  WebhookSession(const WebhookSession&) = delete;
  WebhookSession& operator=(const WebhookSession&) = delete;
  SendOutcome Send(const ChannelDef& c, const Message& m, const Rendered& r);

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string path_;
  bool keep_open_;
  uint64_t sends_ = 0;
};

// One message over a connection of its own (opened and closed for it).
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
