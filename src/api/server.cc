// The Server: binds, accepts (each connection becomes a Session, server_session.h) and runs the
// I/O threads; its routes are added by the routes_*.cc files.
#include "api/server.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "api/routes.h"
#include "api/routes_catalog.h"
#include "api/server_impl.h"
#include "api/server_session.h"
#include "api/tls.h"

namespace signpost::api {

using std::chrono::milliseconds;

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors and the like: wait a moment instead of spinning.
      accept_retry.expires_after(milliseconds(50));
      return accept_retry.async_wait([this](beast::error_code) { Accept(); });
    }
    if (open_connections.load(std::memory_order_relaxed) >= options.max_connections) {
      refused_connections.fetch_add(1, std::memory_order_relaxed);
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);  // replies go out at once (no Nagle wait)
      if (tls)
        std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls), *this)->Start();
      else
        std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), *this)
            ->Start();
    }
    Accept();
  });
}

Server::Server(Engine& engine, ServerOptions options)
    : impl_(std::make_unique<Impl>(engine, std::move(options))) {
  Router& r = impl_->router;
  Impl* impl = impl_.get();
  AddCoreRoutes(r, engine);
  AddSegmentRoutes(r, engine);
  AddDeliveryRoutes(r, engine);
  AddJourneyRoutes(r, engine);
  AddExperimentRoutes(r, engine);
  AddPrivacyRoutes(r, engine);
  AddExportRoutes(r, engine);     // privacy: export
  AddRetentionRoutes(r, engine);  // privacy: retention
  AddCatalogRoutes(r, engine);    // the event catalog, schema drift (routes_catalog.h)
  AddInsightRoutes(r, engine);    // funnel insights
  AddPathRoutes(r, engine);       // funnel paths
  AddAlertRoutes(r, engine);      // alerts
  // The command line's remote mode: uploads and their import, reimport, event count.
  AddImportRoutes(r, engine, impl_->options.upload_dir);
  r.Add("GET", "/metrics", Access::kPublic, [impl](const Request&, Response& res) {
    res.content_type = "text/plain; version=0.0.4";
    res.body = impl->engine.MetricsText();
    impl->telemetry.AppendMetrics(res.body);
    res.body += fmt::format(
        "# HELP signpost_http_refused_requests_total Requests refused at the edge (limits, "
        "credentials, deadlines).\n"
        "# TYPE signpost_http_refused_requests_total counter\nsignpost_http_refused_requests_total "
        "{}\n"
        "# HELP signpost_http_connections_open Connections open now.\n"
        "# TYPE signpost_http_connections_open gauge\nsignpost_http_connections_open {}\n"
        "# HELP signpost_http_refused_connections_total Connections closed at once (over the "
        "limit).\n"
        "# TYPE signpost_http_refused_connections_total "
        "counter\nsignpost_http_refused_connections_total {}\n",
        impl->refused_requests.load(), impl->open_connections.load(),
        impl->refused_connections.load());
  });
}

Server::~Server() { Stop(); }

Status Server::Bind() {
  if (port_ != 0) return Status::Ok();
  auto tls = MakeTlsContext(impl_->options.tls_cert_file, impl_->options.tls_key_file);
  if (!tls.ok()) return tls.status();
  impl_->tls = std::move(tls).value();
  auto fail = [this] {
    return Status::IoError(fmt::format(
        "cannot listen on {}:{}: the port is in use or the address is not local; pick another "
        "with --port",
        impl_->options.host, impl_->options.port));
  };
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) return fail();
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  tcp::acceptor& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    a.close(ec);
    return fail();
  }
  port_ = a.local_endpoint(ec).port();
  return Status::Ok();
}

Status Server::Run() {
  SP_RETURN_IF_ERROR(Bind());
  if (impl_->stopped.load()) return Status::Ok();
  impl_->telemetry.Prepare(impl_->router);  // every route is added by now
  impl_->Accept();
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->options.io_threads; ++i)
    extra.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : extra) t.join();
  // Stop() leaves the handlers that were ready uncalled: a reply the client already holds still has
  // its write's completion queued, which writes its access-log line and metrics. Run those (one at
  // a time, at most kStopHandlers: a client still sending cannot keep the stop waiting); what they
  // start is dropped with the io_context.
  constexpr int kStopHandlers = 1024;
  impl_->ioc.restart();
  for (int i = 0; i < kStopHandlers && impl_->ioc.poll_one() > 0; ++i) {
  }
  return Status::Ok();
}

void Server::Stop() {
  if (!impl_) return;
  impl_->stopped.store(true);
  impl_->ioc.stop();
}

}  // namespace signpost::api
