#include "api/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>

#include "api/base64.h"
#include "api/routes.h"

namespace signpost::api {

using nlohmann::json;

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kResourceExhausted: return 400;  // Segment answers over-limit bodies with 400
    case Code::kUnauthenticated: return 401;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kFailedPrecondition: return 409;
    case Code::kCorruption:
    case Code::kIoError:
    case Code::kInternal: return 500;
  }
  return 500;
}

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void ReplyError(httplib::Response& res, const Status& s) {
  Reply(res, HttpStatusFor(s.code()),
        {{"success", false}, {"error", {{"code", CodeName(s.code())}, {"message", s.message()}}}});
}

namespace {

json RejectionJson(const Rejection& r) {
  return {{"location", r.location}, {"field", r.field}, {"reason", r.reason}};
}

// The username of an HTTP Basic Authorization header ("" when absent or malformed).
std::string BasicUser(const httplib::Request& req) {
  auto it = req.headers.find("Authorization");
  if (it == req.headers.end()) return "";
  std::string_view v = it->second;
  constexpr std::string_view kBasic = "Basic ";
  if (v.size() <= kBasic.size() || v.substr(0, kBasic.size()) != kBasic) return "";
  std::string decoded;
  if (!Base64Decode(v.substr(kBasic.size()), decoded)) return "";
  return decoded.substr(0, decoded.find(':'));
}

// The bearer token of an Authorization header, or the `token` query parameter.
std::string BearerToken(const httplib::Request& req) {
  auto it = req.headers.find("Authorization");
  if (it != req.headers.end()) {
    std::string_view v = it->second;
    constexpr std::string_view kBearer = "Bearer ";
    if (v.size() > kBearer.size() && v.substr(0, kBearer.size()) == kBearer)
      return std::string(v.substr(kBearer.size()));
  }
  if (req.has_param("token")) return req.get_param_value("token");
  return "";
}

}  // namespace

json QueryJson(const httplib::Request& req) {
  json q = json::object();
  for (const auto& [k, v] : req.params) q[k] = v;
  return q;
}

httplib::Server::Handler Admin(Engine& eng, AdminHandler handler) {
  return [&eng, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    if (!eng.CheckKey(BearerToken(req), "admin")) {
      return ReplyError(res, Status::Unauthenticated(
                                 "this endpoint needs an admin token: send 'Authorization: Bearer "
                                 "<token>' (create one with `signpost keys create --kind admin`)"));
    }
    Result<json> r = handler(req);
    if (!r.ok()) return ReplyError(res, r.status());
    Reply(res, 200, *r);
  };
}

struct Server::Routes {
  httplib::Server http;
  std::atomic<uint64_t> requests{0};
};

Server::Server(Engine& engine, ServerOptions options)
    : engine_(engine), options_(std::move(options)), routes_(std::make_unique<Routes>()) {
  auto& svr = routes_->http;
  Engine& eng = engine_;
  const int threads = options_.threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_payload_max_length(8 << 20);  // larger bodies get the engine's named-limit error first
  svr.set_keep_alive_max_count(100000);
  svr.set_tcp_nodelay(true);  // replies go out at once (no Nagle wait on a delayed ACK)

  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("request failed: {}", what);
    ReplyError(res, Status::Internal(what));
  });

  // ---- ingest: Segment's HTTP tracking API ---------------------------------------------------
  svr.Post(R"(/v1/(track|identify|alias|page|screen|group|batch|import))",
           [&eng](const httplib::Request& req, httplib::Response& res) {
             std::string endpoint = req.matches[1];
             if (endpoint == "import") endpoint = "batch";  // Segment's alias of /v1/batch
             auto outcome = eng.IngestHttp(endpoint, req.body, BasicUser(req));
             if (!outcome.ok()) return ReplyError(res, outcome.status());
             json rejected = json::array();
             for (const auto& r : outcome->rejections) rejected.push_back(RejectionJson(r));
             const bool any_ok = outcome->accepted + outcome->duplicates > 0;
             Reply(res, any_ok || rejected.empty() ? 200 : 400,
                   {{"success", any_ok || rejected.empty()},
                    {"accepted", outcome->accepted},
                    {"duplicates", outcome->duplicates},
                    {"rejected", rejected}});
           });

  svr.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, {{"status", "ok"}});
  });
  svr.Get("/metrics", [&eng](const httplib::Request&, httplib::Response& res) {
    res.set_content(eng.MetricsText(), "text/plain; version=0.0.4");
  });

  // ---- admin API: needs an admin token -------------------------------------------------------
  auto admin = [&eng](AdminHandler handler) { return Admin(eng, std::move(handler)); };
  svr.Get(R"(/api/profiles/([^/]+))", admin([&eng](const httplib::Request& req) {
            return eng.Profile(req.matches[1].str());
          }));
  svr.Get(R"(/api/profiles/([^/]+)/events)", admin([&eng](const httplib::Request& req) {
            size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : 1000;
            return eng.ProfileEvents(req.matches[1].str(), limit);
          }));
  svr.Get("/api/deadletters", admin([&eng](const httplib::Request& req) {
            size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : 100;
            return eng.ListDeadLetters(limit);
          }));
  svr.Post("/api/definitions", admin([&eng](const httplib::Request& req) {
             std::string note = req.has_param("note") ? req.get_param_value("note") : "";
             return eng.Apply(req.body, note);
           }));
  svr.Get(R"(/api/definitions/([a-z]+))", admin([&eng](const httplib::Request& req) {
            return eng.ListDefinitions(req.matches[1].str());
          }));
  svr.Get("/api/funnels", admin([&eng](const httplib::Request&) {
            return eng.ListDefinitions("funnel");
          }));
  svr.Get(R"(/api/funnels/([^/]+)/report)", admin([&eng](const httplib::Request& req) {
            return eng.Funnel(req.matches[1].str(), QueryJson(req));
          }));
  svr.Post("/api/funnels/query", admin([&eng](const httplib::Request& req) -> Result<json> {
             json q = json::parse(req.body, nullptr, false);
             if (q.is_discarded() || !q.is_object())
               return Status::InvalidArgument("body: expected a JSON object with the funnel query");
             return eng.Funnel("", q);
           }));
  svr.Get(R"(/api/funnels/([^/]+)/people)", admin([&eng](const httplib::Request& req) {
            return eng.FunnelPeople(req.matches[1].str(), QueryJson(req));
          }));
  svr.Post(R"(/api/funnels/([^/]+)/people/segment)",
           admin([&eng](const httplib::Request& req) -> Result<json> {
             // The new segment's name is `name` (then `segment` filters the funnel as in a report),
             // or `segment` alone (then it is only the name, not a filter).
             json q = QueryJson(req);
             std::string name;
             if (q.contains("name")) {
               name = q["name"];
               q.erase("name");
             } else if (q.contains("segment")) {
               name = q["segment"];
               q.erase("segment");
             }
             if (name.empty()) return Status::InvalidArgument("name: missing; pass ?name=NEW_SEGMENT");
             return eng.SaveFunnelPeople(req.matches[1].str(), q, name);
           }));
  svr.Get(R"(/api/profiles/([^/]+)/funnels/([^/]+)/last-step)",
          admin([&eng](const httplib::Request& req) {
            return eng.LastCompletedStep(req.matches[2].str(), req.matches[1].str());
          }));

  AddSegmentRoutes(svr, eng);
  AddDeliveryRoutes(svr, eng);
  AddJourneyRoutes(svr, eng);
  AddExperimentRoutes(svr, eng);

  if (!options_.web_root.empty()) svr.set_mount_point("/", options_.web_root);

  svr.set_logger([this](const httplib::Request&, const httplib::Response&) {
    routes_->requests.fetch_add(1, std::memory_order_relaxed);
  });
}

Server::~Server() { Stop(); }

Status Server::Bind() {
  if (port_ != 0) return Status::Ok();
  auto& svr = routes_->http;
  if (options_.port == 0) {
    port_ = svr.bind_to_any_port(options_.host);
  } else if (svr.bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
  }
  if (port_ <= 0) {
    port_ = 0;
    return Status::IoError(fmt::format(
        "cannot listen on {}:{}: the port is in use or the address is not local; pick another "
        "with --port", options_.host, options_.port));
  }
  return Status::Ok();
}

Status Server::Run() {
  SP_RETURN_IF_ERROR(Bind());
  if (!routes_->http.listen_after_bind())
    return Status::IoError("the server stopped unexpectedly while listening");
  return Status::Ok();
}

void Server::Stop() {
  if (routes_) routes_->http.stop();
}

}  // namespace signpost::api
