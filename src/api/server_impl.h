// Server::Impl: what every connection of a Server shares (its options, router, CORS policy,
// telemetry, counters and budgets, the worker pool) and the accept loop. Internal to src/api:
// included by server.cc and server_session.h only.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "api/cors.h"
#include "api/request_telemetry.h"
#include "api/router.h"
#include "api/server.h"

namespace signpost::api {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Server::Impl {
  Impl(Engine& e, ServerOptions o)
      : engine(e),
        options(std::move(o)),
        cors(options.cors_origins),
        workers(std::max(1, options.threads)) {}

  Engine& engine;
  ServerOptions options;
  CorsPolicy cors;                         // who may call /v1/* from a browser page
  std::unique_ptr<net::ssl::context> tls;  // set by Bind() with --tls-cert: HTTPS only
  Router router;
  RequestTelemetry telemetry{options.access_log};  // metrics and access log of every reply
  std::atomic<size_t> open_connections{0};
  std::atomic<uint64_t> body_bytes_in_flight{0};  // reserved by the bodies being read or handled
  std::atomic<uint64_t> refused_connections{0}, refused_requests{0};
  std::atomic<bool> stopped{false};
  net::io_context ioc{std::max(1, options.io_threads)};
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};
  // Declared last: destroyed (stopped and joined) first, while the io_context still exists.
  net::thread_pool workers;

  void Accept();
};

}  // namespace signpost::api
