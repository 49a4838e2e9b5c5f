// http_load: the HTTP ingest load generator. N threads, each over its own keep-alive connection,
// POST /v1/batch with --batch unique track events per request (write key as Basic-auth username),
// for --seconds or until --requests have been sent. Prints one JSON line: events/s, requests/s,
// latency p50/p99/max of successful requests, the client's own CPU seconds, and the errors.
//
//   http_load --url http://127.0.0.1:8080 --key WRITE_KEY [--threads 4] [--batch 100] [--seconds
//   10]
//
// Lean like wrk, since it shares the machine with the server it measures: blocking sockets, one
// per thread, the request head built once, each body written into the thread's reused buffer (no
// allocation per request), the reply read into a fixed buffer. Every event is still unique: its
// own messageId, a random userId and event name, its own timestamp.
//
// --ack-log FILE appends the messageId of every event in an acknowledged (2xx) request, one a line,
// flushed before the next request: the crash test's record of what the server promised to keep.
// Failed requests are retried with new messageIds after --retry-delay-ms (the server may be down).
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "synthetic.h"

namespace sb = signpost::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string url = "http://127.0.0.1:8080";
  std::string key;
  int threads = 4;
  int connections = 0;  // 0 = one a thread
  int batch = 100;
  double seconds = 10;
  uint64_t requests = 0;  // 0 = no limit
  std::string run_id;     // messageId prefix; default: the start time in ms
  uint64_t profiles = 100000;
  std::string user_prefix = "load-";
  std::string ack_log;
  int retry_delay_ms = 50;
  int timeout_s = 30;
};

// What one thread measured.
struct ThreadResult {
  uint64_t ok_requests = 0;
  uint64_t errors = 0;
  std::vector<double> latencies_ms;  // of successful requests
  std::string first_error;
};

// A growable byte buffer that keeps its storage: after the first requests, appends allocate
// nothing.
class Buf {
 public:
  void clear() { n_ = 0; }
  size_t size() const { return n_; }
  const char* data() const { return b_.data(); }
  char* data() { return b_.data(); }
  void append(std::string_view s) {
    char* p = grow(s.size());
    std::memcpy(p, s.data(), s.size());
  }
  void append(char c) { *grow(1) = c; }
  void append_uint(uint64_t v) {
    char tmp[24];
    const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    append(std::string_view(tmp, static_cast<size_t>(r.ptr - tmp)));
  }
  // Fixed-width zero-padded decimal.
  void append_digits(uint64_t v, int width) {
    char* p = grow(static_cast<size_t>(width));
    for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
  }

 private:
  char* grow(size_t k) {
    if (n_ + k > b_.size()) b_.resize(std::max(b_.size() * 2, n_ + k + 4096));
    char* p = b_.data() + n_;
    n_ += k;
    return p;
  }
  std::vector<char> b_;
  size_t n_ = 0;
};

// Appends "YYYY-MM-DDTHH:MM:SS.mmmZ" of epoch ms (days to civil date: Howard Hinnant's algorithm).
void AppendIso(Buf& out, int64_t ms) {
  int64_t days = ms / 86400000;
  int64_t in_day = ms % 86400000;
  if (in_day < 0) {
    in_day += 86400000;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out.append_digits(static_cast<uint64_t>(y), 4);
  out.append('-');
  out.append_digits(static_cast<uint64_t>(m), 2);
  out.append('-');
  out.append_digits(static_cast<uint64_t>(d), 2);
  out.append('T');
  out.append_digits(static_cast<uint64_t>(in_day / 3600000), 2);
  out.append(':');
  out.append_digits(static_cast<uint64_t>(in_day / 60000 % 60), 2);
  out.append(':');
  out.append_digits(static_cast<uint64_t>(in_day / 1000 % 60), 2);
  out.append('.');
  out.append_digits(static_cast<uint64_t>(in_day % 1000), 3);
  out.append('Z');
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

struct Target {
  std::string host;
  std::string port;
};

bool ParseUrl(const std::string& url, Target& t) {
  std::string_view u = url;
  if (u.starts_with("http://")) {
    u.remove_prefix(7);
  } else if (u.find("://") != std::string_view::npos) {
    return false;  // https and others: not spoken here
  }
  u = u.substr(0, u.find('/'));
  const size_t colon = u.rfind(':');
  if (colon == std::string_view::npos) {
    t.host = std::string(u);
    t.port = "80";
  } else {
    t.host = std::string(u.substr(0, colon));
    t.port = std::string(u.substr(colon + 1));
  }
  if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']')
    t.host = t.host.substr(1, t.host.size() - 2);
  return !t.host.empty() && !t.port.empty();
}

// One keep-alive connection with blocking I/O under send/receive timeouts.
class Connection {
 public:
  Connection(const Target& target, int timeout_s) : target_(target), timeout_s_(timeout_s) {}
  ~Connection() { Close(); }

  // Sends `request` (connecting first when needed); false and `error` set on failure.
  bool Send(std::string_view request, std::string& error) {
    if (fd_ < 0 && !Connect(error)) return false;
    for (size_t off = 0; off < request.size();) {
      const ssize_t n = ::send(fd_, request.data() + off, request.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return Fail(error, "send") != 0;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  bool open() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    have_ = 0;
  }
  std::string_view reply_body() const { return body_; }

 private:
  bool Connect(std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (const int rc = ::getaddrinfo(target_.host.c_str(), target_.port.c_str(), &hints, &res);
        rc != 0) {
      error = std::string("connection: ") + gai_strerror(rc);
      return false;
    }
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd_ < 0) continue;
      timeval tv{timeout_s_, 0};
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too
      const int one = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
      ::close(fd_);
      fd_ = -1;
    }
    ::freeaddrinfo(res);
    if (fd_ < 0) {
      error = std::string("connection: ") + std::strerror(errno);
      return false;
    }
    return true;
  }

  int Fail(std::string& error, const char* what) {
    error = std::string("connection: ") + what + ": " + (errno ? std::strerror(errno) : "closed");
    Close();
    return 0;
  }

  // Reads more bytes into buf_ (after have_); false on error, end of stream or a full buffer.
  bool Fill() {
    if (have_ == sizeof buf_) return false;
    errno = 0;
    const ssize_t n = ::recv(fd_, buf_ + have_, sizeof buf_ - have_, 0);
    if (n <= 0) return false;
    have_ += static_cast<size_t>(n);
    return true;
  }

  // Reads one reply; returns its status (0 and `error` set on failure).
 public:
  int ReadReply(std::string& error) {
    // Header: up to the blank line.
    size_t end = 0;
    for (;;) {
      const std::string_view seen(buf_, have_);
      if (const size_t at = seen.find("\r\n\r\n"); at != std::string_view::npos) {
        end = at + 4;
        break;
      }
      if (!Fill()) return Fail(error, "reading the reply header");
    }
    const std::string_view head(buf_, end);
    int status = 0;
    if (head.size() < 12 || !head.starts_with("HTTP/1.")) {
      error = "connection: not an HTTP reply";
      Close();
      return 0;
    }
    std::from_chars(head.data() + 9, head.data() + 12, status);
    size_t length = 0;
    bool close_after = false;
    // Header fields, case-insensitively: Content-Length and Connection: close.
    for (size_t line = head.find("\r\n") + 2; line < end - 2;) {
      const size_t eol = head.find("\r\n", line);
      const std::string_view field = head.substr(line, eol - line);
      const size_t colon = field.find(':');
      if (colon != std::string_view::npos) {
        std::string name(field.substr(0, colon));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view value = field.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-length") {
          std::from_chars(value.data(), value.data() + value.size(), length);
        } else if (name == "connection" && (value == "close" || value == "Close")) {
          close_after = true;
        }
      }
      line = eol + 2;
    }
    if (end + length > sizeof buf_) {
      error = "connection: reply over " + std::to_string(sizeof buf_) + " bytes";
      Close();
      return 0;
    }
    while (have_ < end + length) {
      if (!Fill()) return Fail(error, "reading the reply body");
    }
    body_.assign(buf_ + end, length);
    // Keep what follows (nothing, for a client that waits for each reply).
    std::memmove(buf_, buf_ + end + length, have_ - end - length);
    have_ -= end + length;
    if (close_after) Close();
    return status;
  }

 private:
  const Target& target_;
  int timeout_s_;
  int fd_ = -1;
  char buf_[64 * 1024];
  size_t have_ = 0;
  std::string body_;  // the last reply's body (its capacity is reused)
};

// Writes request `n` of thread `t` into `req` (head and body); the messageIds' offsets in `ids`.
void BuildRequest(const Options& o, const std::string& head, int t, uint64_t n, int64_t base_ms,
                  sb::Rng& rng, Buf& body, Buf& req,
                  std::vector<std::pair<uint32_t, uint32_t>>& ids) {
  body.clear();
  ids.clear();
  body.append(R"({"batch":[)");
  for (int i = 0; i < o.batch; ++i) {
    const uint64_t user = rng.Below(o.profiles);
    const auto name = sb::kEventNames[rng.Below(sb::kEventNames.size())];
    if (i > 0) body.append(',');
    body.append(R"({"type":"track","messageId":")");
    const size_t id_at = body.size();
    body.append(o.run_id);
    body.append('-');
    body.append_uint(static_cast<uint64_t>(t));
    body.append('-');
    body.append_uint(n);
    body.append('-');
    body.append_uint(static_cast<uint64_t>(i));
    ids.emplace_back(static_cast<uint32_t>(id_at), static_cast<uint32_t>(body.size() - id_at));
    body.append(R"(","userId":")");
    body.append(o.user_prefix);
    body.append_uint(user);
    body.append(R"(","event":")");
    body.append(name);
    body.append(R"(","timestamp":")");
    AppendIso(body, base_ms + static_cast<int64_t>(n * static_cast<uint64_t>(o.batch) + i));
    body.append(R"(","properties":{"thread":)");
    body.append_uint(static_cast<uint64_t>(t));
    body.append(R"(,"request":)");
    body.append_uint(n);
    body.append("}}");
  }
  body.append("]}");
  req.clear();
  req.append(head);
  req.append_uint(body.size());
  req.append("\r\n\r\n");
  req.append(std::string_view(body.data(), body.size()));
}

// One connection's requests: its own messageIds (numbered by connection `c`), buffers and clock.
struct Stream {
  Stream(const Target& target, int timeout_s, int c) : conn(target, timeout_s), c(c) {}
  Connection conn;
  int c;
  uint64_t n = 0;  // requests built so far
  Buf body, req;
  std::vector<std::pair<uint32_t, uint32_t>> ids;
  Clock::time_point sent;
  bool in_flight = false;
};

// Thread `t` drives `per_thread` connections: it sends a request on each, then reads each reply
// in turn (a reply read later than it arrived counts its wait in its latency: never an
// underestimate), and starts again.
void RunThread(const Options& o, const Target& target, const std::string& head, int t,
               int per_thread, int64_t base_ms, Clock::time_point deadline,
               std::atomic<uint64_t>& budget, std::FILE* ack, std::mutex& ack_mu, ThreadResult& r) {
  std::vector<std::unique_ptr<Stream>> streams;
  for (int k = 0; k < per_thread; ++k)
    streams.push_back(std::make_unique<Stream>(target, o.timeout_s, t * per_thread + k));
  sb::Rng rng(sb::SplitMix64(static_cast<uint64_t>(t) + 1));
  r.latencies_ms.reserve(1 << 16);
  std::string error;
  auto fail = [&](Stream& s, int status) {
    ++r.errors;
    if (r.first_error.empty()) {
      r.first_error = status != 0 ? "HTTP " + std::to_string(status) + ": " +
                                        std::string(s.conn.reply_body().substr(0, 200))
                                  : error;
    }
    if (o.requests > 0) budget.fetch_add(1);  // a failed request does not use up the budget
  };
  while (Clock::now() < deadline) {
    bool any = false;
    for (auto& sp : streams) {
      Stream& s = *sp;
      if (o.requests > 0) {
        uint64_t left = budget.load();
        bool got = true;
        do {
          if (left == 0) {
            got = false;
            break;
          }
        } while (!budget.compare_exchange_weak(left, left - 1));
        if (!got) break;
      }
      BuildRequest(o, head, s.c, s.n++, base_ms, rng, s.body, s.req, s.ids);
      s.sent = Clock::now();
      s.in_flight = s.conn.Send(std::string_view(s.req.data(), s.req.size()), error);
      if (!s.in_flight) fail(s, 0);
      any = true;
    }
    if (!any) return;  // the request budget is spent
    bool failed = false;
    for (auto& sp : streams) {
      Stream& s = *sp;
      if (!s.in_flight) {
        failed = true;
        continue;
      }
      s.in_flight = false;
      const int status = s.conn.ReadReply(error);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - s.sent).count();
      if (status >= 200 && status < 300) {
        ++r.ok_requests;
        r.latencies_ms.push_back(ms);
        if (ack != nullptr) {
          std::lock_guard lock(ack_mu);
          for (const auto& [at, len] : s.ids)
            std::fprintf(ack, "%.*s\n", static_cast<int>(len), s.body.data() + at);
          std::fflush(ack);
        }
        continue;
      }
      fail(s, status);
      failed = true;
    }
    if (failed) std::this_thread::sleep_for(std::chrono::milliseconds(o.retry_delay_ms));
  }
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// JSON string literal (the error texts may hold quotes or control characters).
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"http_load: POST /v1/batch load generator for signpost serve"};
  app.add_option("--url", o.url, "Server base URL (http://HOST:PORT)")->capture_default_str();
  app.add_option("--key", o.key, "Write key (Basic-auth username)")->required();
  app.add_option("--threads", o.threads, "Client threads")->capture_default_str();
  app.add_option("--connections", o.connections,
                 "Keep-alive connections in all, spread over the threads (default: one a thread)");
  app.add_option("--batch", o.batch, "Events per request")->capture_default_str();
  app.add_option("--seconds", o.seconds, "Stop after this long")->capture_default_str();
  app.add_option("--requests", o.requests,
                 "Stop after this many successful requests (0 = no limit)");
  app.add_option("--run-id", o.run_id, "messageId prefix (default: r<start time ms>)");
  app.add_option("--profiles", o.profiles, "userIds are PREFIX0 .. PREFIX<profiles-1>")
      ->capture_default_str();
  app.add_option("--user-prefix", o.user_prefix, "userId prefix")->capture_default_str();
  app.add_option("--ack-log", o.ack_log, "Append acknowledged messageIds to this file");
  app.add_option("--retry-delay-ms", o.retry_delay_ms, "Pause after a failed request")
      ->capture_default_str();
  app.add_option("--timeout", o.timeout_s, "Connect/read/write timeout, seconds")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (o.threads < 1 || o.batch < 1 || o.profiles < 1) {
    std::fprintf(stderr, "error: --threads, --batch and --profiles must be >= 1\n");
    return 1;
  }
  if (o.connections < 1) o.connections = o.threads;
  if (o.connections % o.threads != 0) {
    std::fprintf(stderr, "error: --connections must be a multiple of --threads\n");
    return 1;
  }
  Target target;
  if (!ParseUrl(o.url, target)) {
    std::fprintf(stderr, "error: --url must be http://HOST:PORT (got %s)\n", o.url.c_str());
    return 1;
  }
  // The wall clock only names this run and dates its events; all timing uses the steady clock.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (o.run_id.empty()) o.run_id = "r" + std::to_string(now_ms);
  std::FILE* ack = nullptr;
  if (!o.ack_log.empty() && (ack = std::fopen(o.ack_log.c_str(), "a")) == nullptr) {
    std::fprintf(stderr, "error: cannot open %s for appending\n", o.ack_log.c_str());
    return 1;
  }
  // The request head, built once; only Content-Length and the body follow per request.
  const std::string head = "POST /v1/batch HTTP/1.1\r\nHost: " + target.host + ":" + target.port +
                           "\r\nAuthorization: Basic " + Base64(o.key + ":") +
                           "\r\nContent-Type: application/json\r\nContent-Length: ";
  std::mutex ack_mu;
  std::atomic<uint64_t> budget{o.requests};
  std::vector<ThreadResult> results(static_cast<size_t>(o.threads));
  const double cpu0 = CpuSeconds();
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < o.threads; ++t) {
      workers.emplace_back([&, t] {
        RunThread(o, target, head, t, o.connections / o.threads, now_ms - 3600000, deadline, budget,
                  ack, ack_mu, results[static_cast<size_t>(t)]);
      });
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu0;
  if (ack != nullptr) std::fclose(ack);
  ThreadResult all;
  for (auto& r : results) {
    all.ok_requests += r.ok_requests;
    all.errors += r.errors;
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    if (all.first_error.empty()) all.first_error = r.first_error;
  }
  const double max_ms = all.latencies_ms.empty()
                            ? 0
                            : *std::max_element(all.latencies_ms.begin(), all.latencies_ms.end());
  const double p50 = Percentile(all.latencies_ms, 0.50);
  const double p99 = Percentile(all.latencies_ms, 0.99);
  const uint64_t events = all.ok_requests * static_cast<uint64_t>(o.batch);
  const uint64_t sent = all.ok_requests + all.errors;
  std::printf(
      "{\"engine\":\"signpost\",\"bench\":\"http_ingest\",\"threads\":%d,\"connections\":%d,"
      "\"batch\":%d,\"seconds\":%"
      ".3f,"
      "\"requests\":%llu,\"events\":%llu,\"requests_per_second\":%.1f,\"events_per_second\":%.1f,"
      "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"client_cpu_seconds\":%.3f,"
      "\"client_cpu_us_per_request\":%.1f,\"errors\":%llu,\"first_error\":%s,"
      "\"run_id\":%s}\n",
      o.threads, o.connections, o.batch, elapsed, static_cast<unsigned long long>(all.ok_requests),
      static_cast<unsigned long long>(events), static_cast<double>(all.ok_requests) / elapsed,
      static_cast<double>(events) / elapsed, p50, p99, max_ms, cpu,
      sent ? cpu * 1e6 / static_cast<double>(sent) : 0.0,
      static_cast<unsigned long long>(all.errors), JsonString(all.first_error).c_str(),
      JsonString(o.run_id).c_str());
  return all.ok_requests > 0 ? 0 : 1;
}
