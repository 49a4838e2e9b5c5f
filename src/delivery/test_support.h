// Real providers on loopback for delivery tests (header-only, included only by *_test.cc here, in
// src/engine and in src/api): a minimal SMTP server speaking EHLO/HELO, MAIL, RCPT, DATA, RSET,
// NOOP and QUIT, and a webhook receiver (cpp-httplib) that answers with scripted statuses.
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
  SmtpSink() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpSink() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
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
      Talk(c);
      ::close(c);
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
      if (::poll(&p, 1, 5000) <= 0) return false;
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
    while (ReadLine(c, buf, line)) {
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
        mail.data = data;
        {
          std::lock_guard lock(mu_);
          mails_.push_back(mail);
        }
        Say(c, "250 queued\r\n");
      } else if (verb == "QUIT") {
        Say(c, "221 bye\r\n");
        return;
      } else {
        Say(c, "502 not implemented\r\n");
      }
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
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

// A header's value in a MIME text ("" when absent).
inline std::string MimeHeader(const std::string& data, std::string_view name) {
  size_t at = data.find("\r\n" + std::string(name) + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return data.substr(at, data.find("\r\n", at) - at);
}

struct ReceivedHook {
  httplib::Headers headers;
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// POST /hook on 127.0.0.1:<port()>: records each request, answers with the next scripted status
// (200 when none is left).
class WebhookSink {
 public:
  WebhookSink() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      hooks_.push_back({req.headers, req.body});
      res.status = 200;
      if (!statuses_.empty()) {
        res.status = statuses_.front();
        statuses_.pop_front();
      }
      res.set_content(res.status == 200 ? "ok" : "refused", "text/plain");
    });
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
  void Script(std::initializer_list<int> statuses) {
    std::lock_guard lock(mu_);
    statuses_.insert(statuses_.end(), statuses);
  }
  std::vector<ReceivedHook> hooks() const {
    std::lock_guard lock(mu_);
    return hooks_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::deque<int> statuses_;
  std::vector<ReceivedHook> hooks_;
  std::thread thread_;
};

}  // namespace signpost::delivery::testing
