// The connection state machine (one Session per TCP connection, all on the I/O threads):
//   [TLS: detect and handshake, one deadline for both] →
//   wait for a first byte (idle deadline) → read the header (one deadline for all of it) →
//   check limits, route and credentials → [100 Continue] → read the body (deadline by size) →
//   handler on the worker pool → write the reply on the connection's strand → next request.
// Any refusal before the body is read closes the connection after the reply, so an unread body
// is never parsed as a next request. The Session is a template over its stream (plain TCP or TLS
// over it): one implementation, the stream-specific steps in `if constexpr (kTls)` blocks.
// Internal to src/api: Server::Impl::Accept (server.cc) starts one per accepted connection.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include "api/body_decoder.h"
#include "api/cors.h"
#include "api/credentials.h"
#include "api/request_telemetry.h"
#include "api/server_impl.h"
#include "api/static_files.h"
#include "signpost/acting_as.h"

namespace signpost::api {
namespace session {

namespace http = beast::http;
using std::chrono::milliseconds;

constexpr size_t kBufferLimit = 256 * 1024;  // read buffer per connection (header + body chunks)
constexpr int kWriteTimeoutMs = 30000;       // a reply must be taken by the client in this time
constexpr size_t kDrainBytes = 1 << 20;      // unread body discarded before closing, at most
constexpr int kDrainTimeoutMs = 1000;

inline bool IsQuietClose(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == beast::error::timeout ||
         ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::eof || ec == http::error::partial_message;
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session>::shared_from_this;

  Session(Stream stream, Server::Impl& srv)
      : stream_(std::move(stream)), srv_(srv), buffer_(kBufferLimit) {
    srv_.open_connections.fetch_add(1, std::memory_order_relaxed);
    beast::error_code ec;
    const auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) trace_.remote = remote.address().to_string();
  }
  ~Session() {
    ReleaseBudget();
    srv_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if constexpr (kTls)
        self->Handshake();
      else
        self->WaitForRequest();
    });
  }

  // Answers `s` with `status` at once, without reading a request, then closes.
  void RefuseNow(int status, Status s) {
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), status, s = std::move(s)] {
      self->Refuse(status, s);
    });
  }

 private:
  const ServerOptions& opt() const { return srv_.options; }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // TLS: the first bytes must be a TLS handshake (a plain HTTP request gets a plain 400 saying to
  // use https), then the handshake; both within tls_handshake_timeout_ms, so a client that never
  // finishes it holds its connection slot no longer than that.
  void Handshake() {
    lowest().expires_after(milliseconds(opt().tls_handshake_timeout_ms));
    beast::async_detect_ssl(
        lowest(), buffer_, [self = shared_from_this()](beast::error_code ec, bool tls) {
          if (ec) return self->CloseAfterHandshake(ec);
          if (!tls) {
            auto plain =
                std::make_shared<Session<beast::tcp_stream>>(std::move(self->lowest()), self->srv_);
            return plain->RefuseNow(
                400,
                Status::InvalidArgument("this port speaks HTTPS only: use https:// in the URL"));
          }
          self->stream_.async_handshake(net::ssl::stream_base::server, self->buffer_.data(),
                                        [self](beast::error_code ec, size_t used) {
                                          if (ec) return self->CloseAfterHandshake(ec);
                                          self->buffer_.consume(used);
                                          self->WaitForRequest();
                                        });
        });
  }
  // A handshake past its deadline counts as refused (as a slow header does).
  void CloseAfterHandshake(beast::error_code ec) {
    if (ec == beast::error::timeout) srv_.refused_requests.fetch_add(1, std::memory_order_relaxed);
    Close();
  }

  // Keep-alive: the connection may sit idle for idle_timeout_ms before a request starts.
  void WaitForRequest() {
    header_.reset();
    body_.reset();
    if (buffer_.size() > 0) return ReadHeader();
    lowest().expires_after(milliseconds(opt().idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    RequestTelemetry::Begin(trace_);
    req_ = Request{};
    route_ = nullptr;
    header_.emplace();
    cors_origin_.clear();
    header_->header_limit(static_cast<uint32_t>(opt().max_header_bytes));
    // Checked after the credentials, per route. (Not boost::none: Boost 1.74 then refuses every
    // Content-Length, comparing it with an empty optional.)
    header_->body_limit(std::numeric_limits<uint64_t>::max());
    lowest().expires_after(milliseconds(opt().header_timeout_ms));
    http::async_read_header(
        stream_, buffer_, *header_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == http::error::header_limit)
      return Refuse(431, Status::ResourceExhausted(fmt::format(
                             "the request header is over the limit max_header_bytes = {} bytes",
                             opt().max_header_bytes)));
    if (ec == beast::error::timeout) {
      // Idle past the deadline, or a header that takes too long (a slow client): it goes.
      if (header_->got_some()) srv_.refused_requests.fetch_add(1, std::memory_order_relaxed);
      return Close();
    }
    if (ec) {
      if (IsQuietClose(ec)) return Close();
      return Refuse(400,
                    Status::InvalidArgument("the request is not valid HTTP/1.1: " + ec.message()));
    }
    const auto& h = header_->get();
    size_t fields = 0;
    for (auto it = h.begin(); it != h.end(); ++it) ++fields;
    if (fields > opt().max_header_count)
      return Refuse(
          431, Status::ResourceExhausted(fmt::format(
                   "the request has {} header fields, over the limit max_header_count = {}", fields,
                   opt().max_header_count)));
    req_ = Request{};
    res_ = Response{};
    version_ = h.version();
    keep_alive_ = h.keep_alive();
    req_.method = std::string(h.method_string());
    const auto raw_target = h.target();
    Status target = ParseTarget(std::string_view(raw_target.data(), raw_target.size()), req_);
    if (!target.ok()) return Refuse(400, target);
    req_.authorization = std::string(h[http::field::authorization]);
    trace_.user_agent = std::string(h[http::field::user_agent].substr(0, 200));
    encoding_ = std::string(h[http::field::content_encoding]);
    route_ = srv_.router.Find(req_.method, req_.segments, req_.captures);

    limit_ = opt().max_body_bytes;
    key_in_body_ = false;
    if (CorsPolicy::Covers(req_.path)) cors_origin_ = std::string(h[http::field::origin]);
    if (AnsweredCors()) return;
    if (!route_) {
      if (!header_->is_done())
        return Refuse(404, Status::NotFound("no such endpoint: " + req_.path.substr(0, 200)));
      return Dispatch();  // static files or 404
    }
    // No credential vouches for a public route's body: it is read under the small bound.
    if (route_->access == Access::kPublic) limit_ = opt().unauthenticated_body_bytes;
    // Credentials before a single byte of the body.
    if (route_->access == Access::kAdmin &&
        !srv_.engine.CheckKey(BearerToken(req_.authorization), "admin")) {
      return Refuse(401, Status::Unauthenticated(
                             "this endpoint needs an admin token: send 'Authorization: Bearer "
                             "<token>' (create one with `signpost keys create --kind admin`)"));
    }
    if (route_->access == Access::kWrite) {
      const std::string user = BasicAuthUser(req_.authorization);
      if (!user.empty() && !srv_.engine.CheckKey(user, "write"))
        return Refuse(401, Status::Unauthenticated(
                               "the write key is unknown or revoked: create one with `signpost "
                               "keys create --kind write`"));
      if (user.empty()) {
        key_in_body_ = true;  // the engine reads `writeKey` from a small body
        limit_ = opt().unauthenticated_body_bytes;
      }
    }
    if (!IsSupportedEncoding(encoding_))
      return Refuse(415, Status::InvalidArgument(
                             fmt::format("Content-Encoding '{}' is not supported: use one of {}",
                                         encoding_.substr(0, 40), kSupportedEncodings)));
    if (header_->is_done()) return Dispatch();
    if (auto length = header_->content_length(); length && *length > limit_) return RefuseBody();
    if (beast::iequals(h[http::field::expect], "100-continue")) {
      auto cont =
          std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
      return http::async_write(stream_, *cont,
                               [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                                 if (ec) return self->Close();
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  // CORS on /v1/* (cors.h): answers a preflight, and refuses (before the body) a request whose
  // Origin the policy does not allow. Returns true when it answered.
  bool AnsweredCors() {
    if (cors_origin_.empty()) return false;
    if (req_.method == "OPTIONS") {
      srv_.cors.AnswerPreflight(cors_origin_, res_);
      if (res_.status != 204) srv_.refused_requests.fetch_add(1, std::memory_order_relaxed);
      close_ = !header_->is_done();  // a preflight has no body; an unread one ends the connection
      Write();
      return true;
    }
    if (!srv_.cors.enabled() || srv_.cors.Allows(cors_origin_)) return false;
    Refuse(CorsPolicy::kRefusedStatus, srv_.cors.Refusal());
    return true;
  }

  // The body is over what this request may send: 401 when only the key could have allowed more,
  // 413 otherwise.
  void RefuseBody() {
    if (key_in_body_)
      return Refuse(401, Status::Unauthenticated(fmt::format(
                             "no write key in the Authorization header: a body over {} bytes needs "
                             "the write key as the HTTP Basic auth username (a `writeKey` inside "
                             "the body is read only from smaller bodies)",
                             opt().unauthenticated_body_bytes)));
    if (route_ && route_->access == Access::kPublic)
      return Refuse(413, Status::ResourceExhausted(fmt::format(
                             "the request body is over the limit unauthenticated_body_bytes = {} "
                             "bytes of a route that takes no credentials",
                             limit_)));
    Refuse(413, Status::ResourceExhausted(fmt::format(
                    "the request body is over the limit max_body_bytes = {} bytes ({} MiB): send "
                    "smaller batches",
                    limit_, limit_ >> 20)));
  }

  void ReadBody() {
    const uint64_t declared = header_->content_length().value_or(limit_);
    // Every body being read or handled holds its share of a server-wide budget: a crowd of
    // clients with a (public) write key cannot make the server hold more than that at once.
    reserved_ = declared + (encoding_.empty() ? 0 : limit_);
    if (srv_.body_bytes_in_flight.fetch_add(reserved_) + reserved_ >
        opt().max_body_bytes_in_flight) {
      ReleaseBudget();
      res_ = Response{};
      ReplyError(res_,
                 Status::ResourceExhausted(
                     fmt::format("the server is reading {} bytes of request bodies, its limit "
                                 "max_body_bytes_in_flight; retry in a moment",
                                 opt().max_body_bytes_in_flight)),
                 503);
      res_.headers.emplace_back("Retry-After", "1");
      srv_.refused_requests.fetch_add(1, std::memory_order_relaxed);
      close_ = true;
      return Write();
    }
    body_.emplace(std::move(*header_));
    header_.reset();
    body_->body_limit(limit_);
    lowest().expires_after(
        milliseconds(opt().body_timeout_ms) +
        milliseconds(declared * 1000 / std::max<size_t>(1, opt().body_min_rate)));
    http::async_read(
        stream_, buffer_, *body_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == http::error::body_limit) return RefuseBody();
    if (ec) {
      if (IsQuietClose(ec)) return Close();
      return Refuse(
          400, Status::InvalidArgument("the request body is not valid HTTP/1.1: " + ec.message()));
    }
    trace_.bytes_in = body_->get().body().size();
    req_.body = std::move(body_->get().body());
    body_.reset();
    Dispatch();
  }

  // Runs the handler: inline for the probes, else on the worker pool; the reply is written back on
  // this connection's strand.
  void Dispatch() {
    lowest().expires_never();
    if (route_ && route_->runs == Runs::kInline) {
      Handle();
      return Write();
    }
    net::post(srv_.workers, [self = shared_from_this()] {
      self->Handle();
      net::post(self->stream_.get_executor(), [self] { self->Write(); });
    });
  }

  void Handle() {
    try {
      if (!encoding_.empty() && !req_.body.empty()) {
        std::string decoded;
        Status s = DecodeBody(encoding_, req_.body, limit_, decoded);
        if (!s.ok()) {
          if (s.code() == Code::kResourceExhausted && key_in_body_) return RefuseBodyReply();
          return ReplyError(res_, s, s.code() == Code::kResourceExhausted ? 413 : 400);
        }
        req_.body = std::move(decoded);
      }
      if (route_) {
        // The audit log records admin actions as the token's; other routes act as the engine.
        ActingAs acting(route_->access == Access::kAdmin
                            ? srv_.engine.AdminActor(BearerToken(req_.authorization))
                            : std::string());
        route_->handler(req_, res_);
      } else if (req_.method == "GET" && !opt().web_root.empty()) {
        ServeStatic(opt().web_root, req_, res_);
      } else {
        ReplyError(res_, Status::NotFound("no such endpoint: " + req_.path.substr(0, 200)));
      }
    } catch (const std::exception& e) {
      spdlog::error("request {} {} failed: {}", req_.method, req_.path.substr(0, 200), e.what());
      ReplyError(res_, Status::Internal(e.what()));
    }
  }

  void RefuseBodyReply() {
    ReplyError(res_, Status::Unauthenticated(fmt::format(
                         "no write key in the Authorization header: a body over {} bytes (decoded) "
                         "needs the write key as the HTTP Basic auth username",
                         opt().unauthenticated_body_bytes)));
  }

  // Answers without reading the rest of the request, then closes.
  void Refuse(int status, const Status& s) {
    srv_.refused_requests.fetch_add(1, std::memory_order_relaxed);
    res_ = Response{};
    ReplyError(res_, s, status);
    close_ = true;
    Write();
  }

  void ReleaseBudget() {
    srv_.body_bytes_in_flight.fetch_sub(reserved_);
    reserved_ = 0;
  }

  void Write() {
    ReleaseBudget();  // the request's body and its decoded copy are gone by now
    reply_ = {};
    reply_.version(version_ ? version_ : 11);
    reply_.result(static_cast<unsigned>(res_.status));
    reply_.set(http::field::content_type, res_.content_type);
    if (!cors_origin_.empty()) srv_.cors.AddReplyHeaders(cors_origin_, res_);  // errors too
    for (const auto& [name, value] : res_.headers) reply_.set(name, value);
    reply_.body() = std::move(res_.body);
    reply_.keep_alive(keep_alive_ && !close_);
    reply_.prepare_payload();
    lowest().expires_after(milliseconds(kWriteTimeoutMs));
    http::async_write(stream_, reply_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    });
  }

  void OnWrite(beast::error_code ec) {
    srv_.telemetry.Finish(trace_, req_, route_, reply_.result_int(), reply_.body().size());
    if (ec) return Close();
    reply_ = {};
    if (close_ || !keep_alive_) return Drain();
    WaitForRequest();
  }

  // Stops sending, then discards what the client still sends for a moment (at most kDrainBytes),
  // so it reads the reply instead of a connection reset.
  void Drain() {
    if constexpr (kTls) return ShutdownTls();
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().expires_after(milliseconds(kDrainTimeoutMs));
    buffer_.clear();
    DrainSome();
  }
  void DrainSome() {
    if (drained_ >= kDrainBytes) return Close();
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->drained_ += n;
                              self->buffer_.clear();
                              self->DrainSome();
                            });
  }

  // TLS: close_notify, and the client's, for at most kDrainTimeoutMs.
  void ShutdownTls() {
    if constexpr (kTls) {
      lowest().expires_after(milliseconds(kDrainTimeoutMs));
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->Close(); });
    }
  }

  void Close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  Stream stream_;
  Server::Impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_;
  std::optional<http::request_parser<http::string_body>> body_;
  http::response<http::string_body> reply_;
  Request req_;
  Response res_;
  const Route* route_ = nullptr;
  RequestTrace trace_;  // what the access log and the metrics note of the request
  std::string encoding_;
  std::string cors_origin_;  // the Origin header of a request under /v1/ ("" otherwise)
  size_t limit_ = 0;
  bool key_in_body_ = false;
  bool keep_alive_ = false;
  bool close_ = false;
  unsigned version_ = 11;
  size_t drained_ = 0;
  uint64_t reserved_ = 0;  // this request's share of body_bytes_in_flight
};

}  // namespace session

using session::Session;

}  // namespace signpost::api
