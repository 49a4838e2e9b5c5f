// Connections: the provider connections of every channel, kept open between messages and shared
// by the delivery workers. A send takes an idle session of its channel (smtp: SmtpSession,
// webhook: WebhookSession) or opens one, sends, and puts it back, so a channel holds at most as
// many connections as workers send through it at once. Sessions are keyed by what their
// connection depends on (type, id, url, credentials, timeout), so an applied change of a channel
// gets new connections; a session idle for longer than `max_idle` is closed instead of reused
// (libcurl and cpp-httplib also notice a connection the server closed and open a new one).
// With `reuse` false every message opens and closes its own connection (the behaviour before;
// the delivery benchmark measures both).
// Thread-safety: thread-safe; the pool is under a mutex, a session is used by one sender at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "delivery/channels.h"

namespace signpost::delivery {

class Connections {
 public:
  explicit Connections(bool reuse = true,
                       std::chrono::milliseconds max_idle = std::chrono::seconds(30))
      : reuse_(reuse), max_idle_(max_idle) {}

  // Sends `m` through smtp or webhook channel `c` (kPermanent for a file channel).
  SendOutcome Send(const ChannelDef& c, const Message& m, const Rendered& r, TimeMs now);
  // Idle sessions kept right now, over all channels.
  size_t idle() const EXCLUDES(mu_);
  // SMTP connections opened so far, over all sessions (closed ones included).
  uint64_t smtp_connections() const { return smtp_opened_.load(); }

 private:
  struct Session {
    std::unique_ptr<SmtpSession> smtp;
    std::unique_ptr<WebhookSession> webhook;
    std::chrono::steady_clock::time_point last_used;
  };
  std::unique_ptr<Session> Take(const ChannelDef& c, const std::string& key) EXCLUDES(mu_);
  void Return(const std::string& key, std::unique_ptr<Session> session) EXCLUDES(mu_);

  const bool reuse_;
  const std::chrono::milliseconds max_idle_;
  mutable Mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<Session>>> idle_ GUARDED_BY(mu_);
  std::atomic<uint64_t> smtp_opened_{0};
};

}  // namespace signpost::delivery
