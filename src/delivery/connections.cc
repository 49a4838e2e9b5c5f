#include "delivery/connections.h"

#include <fmt/format.h>

#include "delivery/signing.h"

namespace signpost::delivery {

namespace {

// What a channel's connection depends on: a changed definition gets new connections.
std::string SessionKey(const ChannelDef& c) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", ChannelTypeName(c.type), c.id, c.url, c.username,
                     Hex(Sha256(c.password)), c.timeout_ms);
}

}  // namespace

std::unique_ptr<Connections::Session> Connections::Take(const ChannelDef& c,
                                                        const std::string& key) {
  if (reuse_) {
    std::vector<std::unique_ptr<Session>> stale;  // closed outside the lock
    MutexLock lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
      auto& sessions = it->second;
      for (size_t i = 0; i < sessions.size();) {
        if (now - sessions[i]->last_used > max_idle_) {
          stale.push_back(std::move(sessions[i]));
          sessions.erase(sessions.begin() + static_cast<ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      it = sessions.empty() ? idle_.erase(it) : std::next(it);
    }
    auto found = idle_.find(key);
    if (found != idle_.end() && !found->second.empty()) {
      std::unique_ptr<Session> s = std::move(found->second.back());
      found->second.pop_back();
      return s;
    }
  }
  auto s = std::make_unique<Session>();
  if (c.type == ChannelType::kSmtp) {
    s->smtp = std::make_unique<SmtpSession>(reuse_);
  } else {
    s->webhook = std::make_unique<WebhookSession>(c, reuse_);
  }
  return s;
}

void Connections::Return(const std::string& key, std::unique_ptr<Session> session) {
  if (!reuse_) return;  // closed here
  session->last_used = std::chrono::steady_clock::now();
  MutexLock lock(mu_);
  idle_[key].push_back(std::move(session));
}

SendOutcome Connections::Send(const ChannelDef& c, const Message& m, const Rendered& r,
                              TimeMs now) {
  if (c.type == ChannelType::kFile)
    return {SendStatus::kPermanent, "a file channel has no connection"};
  const std::string key = SessionKey(c);
  std::unique_ptr<Session> session = Take(c, key);
  SendOutcome out;
  if (session->smtp) {
    const uint64_t before = session->smtp->connections();
    out = session->smtp->Send(c, m, r, now);
    smtp_opened_ += session->smtp->connections() - before;
  } else {
    out = session->webhook->Send(c, m, r);
  }
  Return(key, std::move(session));
  return out;
}

size_t Connections::idle() const {
  MutexLock lock(mu_);
  size_t n = 0;
  for (const auto& [key, sessions] : idle_) n += sessions.size();
  return n;
}

}  // namespace signpost::delivery
