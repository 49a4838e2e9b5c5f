// Real providers on loopback for delivery tests and the delivery benchmark (header-only, included
// only by *_test.cc here, in src/engine and in src/api, and by bench/delivery_bench.cc): a minimal
// SMTP server speaking EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP and QUIT, any number of messages
// per connection and connections at once (a thread each), and a webhook receiver (cpp-httplib)
// that answers with scripted statuses.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "delivery/signing.h"

namespace signpost::delivery::testing {

// One SMTP connection's message: the envelope and the DATA text (without the final ".").
struct ReceivedMail {
  std::string from, rcpt, data;
};

class SmtpSink {
 public:
  // `keep_mails` false: only count the messages (the benchmark).
  explicit SmtpSink(bool keep_mails = true) : keep_mails_(keep_mails) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 128);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpSink() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    std::lock_guard lock(mu_);
    for (std::thread& t : talks_) t.join();
  }
  int port() const { return port_; }
  // Connections accepted so far.
  int connections() const { return connections_.load(); }
  // Messages accepted so far (also when not kept).
  uint64_t count() const { return count_.load(); }
  // From now on a connection takes one message: the command after it gets "421" and the
  // connection is closed (what a server's idle timeout does to a kept connection).
  void set_one_message_per_connection(bool on) { one_per_connection_ = on; }
  // Each message's "250" after DATA waits this long (a provider's latency).
  void set_reply_delay_ms(int ms) { reply_delay_ms_ = ms; }
  // The reply to RCPT TO (default 250; 550 rejects the recipient for good, 450 for now).
  void set_rcpt_reply(int code) { rcpt_reply_ = code; }
  std::vector<ReceivedMail> mails() const {
    std::lock_guard lock(mu_);
    return mails_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++connections_;
      std::lock_guard lock(mu_);
      talks_.emplace_back([this, c] {
        Talk(c);
        ::close(c);
      });
    }
  }
  // Reads one CRLF-terminated line into `line`; false at end of stream.
  bool ReadLine(int c, std::string& buf, std::string& line) {
    while (true) {
      size_t eol = buf.find("\r\n");
      if (eol != std::string::npos) {
        line = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        return true;
      }
      pollfd p{c, POLLIN, 0};
      int ready = 0;
      for (int waited = 0; waited < 5000 && !stop_ && ready == 0; waited += 50)
        ready = ::poll(&p, 1, 50);
      if (ready <= 0) return false;
      char chunk[4096];
      ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buf.append(chunk, size_t(n));
    }
  }
  static void Say(int c, std::string_view s) { (void)!::send(c, s.data(), s.size(), MSG_NOSIGNAL); }
  void Talk(int c) {
    Say(c, "220 sink ESMTP\r\n");
    std::string buf, line;
    ReceivedMail mail;
    bool sent_one = false;
    while (ReadLine(c, buf, line)) {
      if (sent_one && one_per_connection_) {
        Say(c, "421 closing idle connection\r\n");
        return;
      }
      std::string verb = line.substr(0, 4);
      for (char& ch : verb) ch = char(toupper(ch));
      if (verb == "EHLO") {
        Say(c, "250-sink\r\n250 8BITMIME\r\n");
      } else if (verb == "HELO" || verb == "RSET" || verb == "NOOP") {
        Say(c, "250 OK\r\n");
      } else if (verb == "MAIL") {
        mail.from = line.substr(10);
        Say(c, "250 OK\r\n");
      } else if (verb == "RCPT") {
        mail.rcpt = line.substr(8);
        Say(c, std::to_string(rcpt_reply_.load()) +
                   (rcpt_reply_ == 250 ? " OK\r\n" : " no such user\r\n"));
      } else if (verb == "DATA") {
        Say(c, "354 go ahead\r\n");
        std::string data;
        while (ReadLine(c, buf, line) && line != ".")
          data += (line.rfind("..", 0) == 0 ? line.substr(1) : line) + "\r\n";
        mail.data = std::move(data);
        if (reply_delay_ms_ > 0)
          std::this_thread::sleep_for(std::chrono::milliseconds(reply_delay_ms_.load()));
        ++count_;
        if (keep_mails_) {
          std::lock_guard lock(mu_);
          mails_.push_back(mail);
        }
        Say(c, "250 queued\r\n");
        sent_one = true;
      } else if (verb == "QUIT") {
        Say(c, "221 bye\r\n");
        return;
      } else {
        Say(c, "502 not implemented\r\n");
      }
    }
  }

  const bool keep_mails_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> one_per_connection_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> reply_delay_ms_{0};
  std::atomic<uint64_t> count_{0};
  std::vector<std::thread> talks_;  // guarded by mu_
  std::atomic<int> rcpt_reply_{250};
  mutable std::mutex mu_;
  std::vector<ReceivedMail> mails_;
  std::thread thread_;
};

// The decoded content of the first MIME part of `type` ("text/html") in `data`; "" when none.
inline std::string MimePart(const std::string& data, std::string_view type) {
  size_t at = data.find(std::string("Content-Type: ") + std::string(type));
  if (at == std::string::npos) return "";
  size_t start = data.find("\r\n\r\n", at);
  size_t end = data.find("\r\n--", start);
  std::string out;
  if (start == std::string::npos || end == std::string::npos ||
      !DecodeBase64(std::string_view(data).substr(start + 4, end - start - 4), out))
    return "";
  return out;
}

// A header's value in a MIME text, unfolded (each CRLF before white space removed; "" when
// absent).
inline std::string MimeHeader(const std::string& data, std::string_view name) {
  size_t at = 0;
  if (data.rfind(std::string(name) + ": ", 0) == 0) {
    at = name.size() + 2;  // the first header
  } else {
    at = data.find("\r\n" + std::string(name) + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
  }
  std::string out;
  while (true) {
    size_t eol = data.find("\r\n", at);
    out += data.substr(at, eol - at);
    if (eol == std::string::npos || eol + 2 >= data.size() ||
        (data[eol + 2] != ' ' && data[eol + 2] != '\t'))
      return out;
    at = eol + 2;
  }
}

struct ReceivedHook {
  httplib::Headers headers;
  std::string body;
  int remote_port = 0;  // the client's port: the same for requests on one kept connection
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// POST /hook on 127.0.0.1:<port()>: records each request, answers with the next scripted status
// (200 when none is left). One request per connection unless set_requests_per_connection says
// more: cpp-httplib's server waits for a kept connection to go idle (here at most 1 s) before it
// stops, and a test's engine keeps its connection open beyond the sink.
class WebhookSink {
 public:
  // `keep_hooks` false: only count the requests (the benchmark).
  explicit WebhookSink(bool keep_hooks = true) : keep_hooks_(keep_hooks) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      const int now = ++in_flight_;
      for (int seen = max_in_flight_.load(); now > seen;)
        max_in_flight_.compare_exchange_weak(seen, now);
      if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
      --in_flight_;
      ++count_;
      std::lock_guard lock(mu_);
      if (keep_hooks_) hooks_.push_back({req.headers, req.body, req.remote_port});
      res.status = 200;
      if (!statuses_.empty()) {
        res.status = statuses_.front();
        statuses_.pop_front();
      }
      res.set_content(res.status == 200 ? "ok" : "refused", "text/plain");
    });
    server_.set_keep_alive_max_count(1);
    server_.set_tcp_nodelay(true);  // as real HTTP servers do: no Nagle wait on kept connections
    server_.set_keep_alive_timeout(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Stop() before the listener runs would not stop it: wait until it does.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~WebhookSink() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  // Requests received so far (also when not kept).
  uint64_t count() const { return count_.load(); }
  // Each request takes this long to answer (to see requests overlap).
  void set_delay_ms(int ms) { delay_ms_ = ms; }
  // The most requests being answered at once so far.
  int max_in_flight() const { return max_in_flight_.load(); }
  // A kept connection is closed by the server after this many requests (default 1).
  void set_requests_per_connection(size_t n) { server_.set_keep_alive_max_count(n); }
  void Script(std::initializer_list<int> statuses) {
    std::lock_guard lock(mu_);
    statuses_.insert(statuses_.end(), statuses);
  }
  std::vector<ReceivedHook> hooks() const {
    std::lock_guard lock(mu_);
    return hooks_;
  }

 private:
  const bool keep_hooks_;
  httplib::Server server_;
  int port_ = 0;
  std::atomic<int> in_flight_{0}, max_in_flight_{0}, delay_ms_{0};
  std::atomic<uint64_t> count_{0};
  mutable std::mutex mu_;
  std::deque<int> statuses_;
  std::vector<ReceivedHook> hooks_;
  std::thread thread_;
};

}  // namespace signpost::delivery::testing
