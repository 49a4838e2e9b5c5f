// The HTTP edge over real sockets: credentials before the body, every limit answered with its
// status (401, 413, 415, 431, 400) without reading what is over it, deadlines that do not restart
// per byte, the connection limit, the probes, keys managed while serving, and static files that
// never leave the web root.
#include "api/server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "api/access_log.h"
#include "api/base64.h"
#include "api/cors.h"
#include "api/http_metrics.h"
#include "api/test_certificate.h"

namespace signpost::api {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{10, 0};  // "not hung" bound
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(n);
  }
  return true;
}

// Everything the server sends until it closes (or 10 s pass).
std::string ReadToClose(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, n);
  }
  return out;
}

// Sends `request` on a new connection and returns what comes back before the close.
std::string Exchange(int port, std::string_view request) {
  int fd = Connect(port);
  SendAll(fd, request);
  std::string out = ReadToClose(fd);
  ::close(fd);
  return out;
}

std::string Gzip(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = in.size();
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = out.size();
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Basic(const std::string& user) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = user + ":", out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
  }
  return "Basic " + out;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("signpost-server-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "web" / "assets");
    std::ofstream(dir_ / "web" / "index.html") << "<html>dashboard</html>";
    std::ofstream(dir_ / "web" / "assets" / "app.js") << "console.log(1)";
    std::ofstream(dir_ / "secret.txt") << "secret";
    EngineOptions o;
    o.data_dir = (dir_ / "data").string();
    o.sync = false;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    write_ = engine_->CreateKey("write", "t")->token;
    admin_ = engine_->CreateKey("admin", "t")->token;
  }
  void Start(ServerOptions so = {}) {
    so.port = 0;
    so.threads = 2;
    so.web_root = (dir_ / "web").string();
    server_ = std::make_unique<Server>(*engine_, so);
    ASSERT_TRUE(server_->Bind().ok());
    port_ = server_->port();
    serving_ = std::thread([this] {
      Status s = server_->Run();
      EXPECT_TRUE(s.ok()) << s.ToString();
    });
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      serving_.join();
      server_.reset();
    }
    engine_.reset();
    fs::remove_all(dir_);
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10);
    return c;
  }
  httplib::Headers Admin() { return {{"Authorization", "Bearer " + admin_}}; }

  fs::path dir_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Server> server_;
  std::thread serving_;
  int port_ = 0;
  std::string write_, admin_;
};

TEST_F(ServerTest, IngestWithTheKeyInTheHeaderOrInASmallBody) {
  Start();
  auto c = Client();
  auto r = c.Post("/v1/track", {{"Authorization", Basic(write_)}},
                  R"({"event":"A","userId":"ada","messageId":"m1"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["accepted"], 1);
  r = c.Post("/v1/track", json{{"event", "A"}, {"userId", "ada"}, {"writeKey", write_}}.dump(),
             "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Post("/v1/import", {{"Authorization", Basic(write_)}},
             R"({"batch":[{"type":"track","event":"B","userId":"bo"}]})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Post("/v1/track", {{"Authorization", Basic("wk_nope")}}, R"({"event":"A","userId":"x"})",
             "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(engine_->EventCount(), 3u);
}

TEST_F(ServerTest, AGzipBodyIsDecodedAndABombIsRefusedWith413) {
  Start();
  auto c = Client();
  httplib::Headers h = {{"Authorization", Basic(write_)}, {"Content-Encoding", "gzip"}};
  auto r = c.Post("/v1/batch", h, Gzip(R"({"batch":[{"type":"track","event":"Z","userId":"z"}]})"),
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Post("/v1/batch", h, Gzip(std::string(64 << 20, ' ')), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("max_body_bytes"), std::string::npos) << r->body;
  h = {{"Authorization", Basic(write_)}, {"Content-Encoding", "zstd"}};
  r = c.Post("/v1/batch", h, "x", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_NE(r->body.find("gzip, deflate, br"), std::string::npos) << r->body;
}

// Regression: a body without credentials was read whole (300 MB chunked: 600 MB of RSS) before
// the 401. Now the 401 comes after the header, and the body is never read.
TEST_F(ServerTest, NoCredentialsIsA401BeforeTheBodyIsRead) {
  Start();
  std::string reply = Exchange(port_,
                               "POST /api/definitions HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 300000000\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 401") << reply;
  reply = Exchange(port_,
                   "POST /v1/batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "100000\r\n" +
                       std::string(70000, 'x'));
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 401") << reply;
  EXPECT_NE(reply.find("Basic auth username"), std::string::npos) << reply;
  reply =
      Exchange(port_, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 401") << reply;
}

TEST_F(ServerTest, BodiesOverTheLimitAre413ForEveryFraming) {
  Start();
  const std::string auth = "Authorization: " + Basic(write_) + "\r\n";
  std::string reply = Exchange(
      port_, "POST /v1/batch HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 9000000\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 413") << reply;
  EXPECT_NE(reply.find("max_body_bytes = 8388608"), std::string::npos) << reply;
  // Chunked: the server answers once the chunks pass the limit, without waiting for the end.
  int fd = Connect(port_);
  SendAll(fd,
          "POST /v1/batch HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "100000\r\n" + std::string(0x100000, 'x') + "\r\n";
  for (int i = 0; i < 9 && SendAll(fd, chunk); ++i) {
  }
  reply = ReadToClose(fd);
  ::close(fd);
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 413") << reply.substr(0, 200);
}

// Regression: a million headers got a 200.
TEST_F(ServerTest, TooManyOrTooLargeHeadersAre431) {
  Start();
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  std::string reply = Exchange(port_, many + "\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 431") << reply;
  EXPECT_NE(reply.find("max_header_count = 100"), std::string::npos) << reply;
  reply = Exchange(
      port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 431") << reply;
}

// Regression: 200,000 nested '[' on /api/segments/x/members crashed the server.
TEST_F(ServerTest, DeepJsonIsA400AndTheServerStaysUp) {
  Start();
  auto c = Client();
  for (const std::string& body : {std::string(200000, '['), "{\"ids\":" + std::string(200000, '[') +
                                                                std::string(200000, ']') + "}"}) {
    auto r = c.Post("/api/segments/x/members", Admin(), body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(r->body.find("deeper than 64"), std::string::npos) << r->body.substr(0, 300);
  }
  auto h = c.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

// Sends each bad integer (letters, a sign, a number past 2^64) as `param` of `route` ("GET /path")
// and expects a 400 whose message names the parameter: QueryInt answers before any engine work.
void ExpectBadIntegersAre400(httplib::Client& c, const httplib::Headers& admin,
                             const std::string& route, const std::string& param) {
  const size_t space = route.find(' ');
  const std::string method = route.substr(0, space), path = route.substr(space + 1);
  for (const char* bad : {"abc", "-1", "99999999999999999999"}) {
    const std::string target =
        path + (path.find('?') == std::string::npos ? "?" : "&") + param + "=" + bad;
    auto r = method == "GET" ? c.Get(target, admin) : c.Post(target, admin, "", "text/plain");
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << method << " " << target;
    EXPECT_NE(r->body.find(param + ": expected a whole number"), std::string::npos)
        << target << ": " << r->body;
  }
}

// Regression: ?limit=abc answered 500 on two routes and 400 on another.
TEST_F(ServerTest, QueryIntegersOfTheCoreRoutesAre400NamingTheParameter) {
  Start();
  auto c = Client();
  ExpectBadIntegersAre400(c, Admin(), "GET /api/deadletters", "limit");
  ExpectBadIntegersAre400(c, Admin(), "GET /api/profiles/ada/events", "limit");
  for (const char* route : {"GET /api/funnels/f/report", "GET /api/funnels/f/people",
                            "POST /api/funnels/f/people/segment?name=s"}) {
    for (const char* param : {"version", "top", "completed", "dropped_at"})
      ExpectBadIntegersAre400(c, Admin(), route, param);
  }
  auto r = c.Get("/api/deadletters?limit=5", Admin());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // A good integer passes the edge: the engine answers (the funnel does not exist).
  r = c.Get("/api/funnels/f/report?version=2&top=3", Admin());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
}

TEST_F(ServerTest, QueryIntegersOfTheDeliveryRoutesAre400NamingTheParameter) {
  Start();
  auto c = Client();
  ExpectBadIntegersAre400(c, Admin(), "GET /api/outbox", "limit");
  auto r = c.Get("/api/outbox?limit=0", Admin());  // 0 = all
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

// The journey, experiment and segment routes take no integer in the query string (a
// `cost.<channel>` of /money is an amount, checked by the engine); their integers come in JSON
// bodies.

TEST_F(ServerTest, TheAdminTokenCountsOnlyInTheAuthorizationHeader) {
  Start();
  auto c = Client();
  auto r = c.Get(("/api/deadletters?token=" + admin_).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = c.Get("/api/deadletters", Admin());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, KeysAreCreatedListedAndRevokedWhileServing) {
  Start();
  auto c = Client();
  auto made = c.Post("/api/keys", Admin(), R"({"kind":"write","name":"site"})", "application/json");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 200) << made->body;
  const std::string token = json::parse(made->body)["token"];
  auto track = [&] {
    auto r = c.Post("/v1/track", {{"Authorization", Basic(token)}}, R"({"event":"A","userId":"k"})",
                    "application/json");
    return r ? r->status : -1;
  };
  EXPECT_EQ(track(), 200);
  auto list = c.Get("/api/keys", Admin());
  ASSERT_TRUE(list);
  EXPECT_EQ(list->body.find(token), std::string::npos) << "a listing shows prefixes, not tokens";
  EXPECT_NE(list->body.find(token.substr(0, 12)), std::string::npos);
  auto revoked = c.Delete(("/api/keys/" + token).c_str(), Admin());
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_EQ(track(), 401);
  auto bad = c.Post("/api/keys", Admin(), R"({"kind":"root"})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(ServerTest, AdminActionsAreAuditedAsTheTokensAndListedPageByPage) {
  Start();
  auto c = Client();
  auto made = c.Post("/api/keys", Admin(), R"({"kind":"write","name":"shop"})", "application/json");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 200) << made->body;
  auto page = c.Get("/api/audit?limit=1", Admin());
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  json doc = json::parse(page->body);
  ASSERT_EQ(doc["entries"].size(), 1u);
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["action"], "keys.create");
  EXPECT_EQ(e["target"], "write key shop");
  EXPECT_EQ(e["actor"], engine_->AdminActor(admin_));
  EXPECT_EQ(e["actor"].get<std::string>().rfind("admin:", 0), 0u);
  EXPECT_EQ(e["outcome"], "ok");
  EXPECT_EQ(e["detail"]["prefix"],
            json::parse(made->body)["token"].get<std::string>().substr(0, 12));
  EXPECT_EQ(e["seq"], doc["last_seq"]);
  auto bad = c.Get("/api/audit?limit=0", Admin());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("query.limit"), std::string::npos) << bad->body;
  auto anonymous = c.Get("/api/audit");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_F(ServerTest, DeletingAProfileErasesThePersonAndAnswersTheReceipt) {
  Start();
  auto c = Client();
  // A visitor browses anonymously, then signs in: one person with two identities.
  auto page = c.Post("/v1/track", {{"Authorization", Basic(write_)}},
                     R"({"event":"Viewed Pricing","anonymousId":"gone-anon"})", "application/json");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  auto identify = c.Post("/v1/identify", {{"Authorization", Basic(write_)}},
                         R"({"userId":"gone-1","anonymousId":"gone-anon"})", "application/json");
  ASSERT_TRUE(identify);
  ASSERT_EQ(identify->status, 200) << identify->body;
  auto before = c.Get("/api/profiles/gone-anon", Admin());
  ASSERT_TRUE(before);
  ASSERT_EQ(before->status, 200) << before->body;
  auto anonymous = c.Delete("/v1/profiles/gone-1");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401) << "erasing needs the admin token";
  auto erased = c.Delete("/api/profiles/gone-1", Admin());
  ASSERT_TRUE(erased);
  ASSERT_EQ(erased->status, 200) << erased->body;
  json receipt = json::parse(erased->body);
  EXPECT_EQ(receipt["regulationType"], "DELETE");
  EXPECT_EQ(receipt["profilesErased"], 1);
  EXPECT_EQ(receipt["identitiesErased"], 2) << erased->body;
  EXPECT_EQ(receipt["eventsErased"], 2);
  EXPECT_EQ(receipt["purged"], true);
  auto gone = c.Get("/api/profiles/gone-anon", Admin());
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404) << gone->body;
  auto again = c.Delete("/v1/profiles/gone-1", Admin());  // idempotent: nothing left to find
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(json::parse(again->body)["found"], 0);
}

TEST_F(ServerTest, ProbesAndMetrics) {
  Start();
  auto c = Client();
  auto h = c.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto ready = c.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_EQ(json::parse(ready->body)["checks"].size(), 3u) << ready->body;
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("signpost_http_requests_total"), std::string::npos);
}

// /readyz names each check (docs/openapi.yaml).
TEST_F(ServerTest, ReadyzNamesEachCheck) {
  Start();
  auto c = Client();
  auto ready = c.Get("/readyz");
  ASSERT_TRUE(ready);
  ASSERT_EQ(ready->status, 200) << ready->body;
  const json body = json::parse(ready->body);
  EXPECT_EQ(body["status"], "ready");
  std::vector<std::string> names;
  for (const json& check : body["checks"]) {
    names.push_back(check["name"]);
    EXPECT_EQ(check["ok"], true) << check.dump();
    EXPECT_FALSE(check["detail"].get<std::string>().empty());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"store_open", "durable_writes", "journeys_caught_up"}));
}

// After a mix of requests, every line of /metrics is a comment or a sample of the exposition
// format, the counters carry route patterns (never a raw path), and the histogram is consistent.
TEST_F(ServerTest, MetricsParseAndCountRequestsByRoutePattern) {
  Start();
  auto c = Client();
  ASSERT_TRUE(c.Get("/healthz"));
  ASSERT_TRUE(c.Get("/healthz"));
  ASSERT_TRUE(c.Get("/api/profiles/nobody-42", Admin()));  // 404 from the route
  ASSERT_TRUE(c.Get("/api/profiles/nobody-42"));           // 401
  ASSERT_TRUE(c.Get("/no/such/path"));                     // static: 404, route other
  ASSERT_TRUE(c.Post("/v1/track", {{"Authorization", Basic(write_)}},
                     R"({"userId":"u1","event":"E"})", "application/json"));
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  const std::string& text = m->body;
  // name{label="value",...} value  (values escaped: \\, \", \n)
  const std::regex sample(
      R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? -?([0-9.e+-]+|\+Inf|NaN)$)re");
  const std::regex comment(
      R"re(^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$)re");
  std::istringstream lines(text);
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    ++n;
    EXPECT_TRUE(std::regex_match(line, sample) || std::regex_match(line, comment)) << line;
  }
  EXPECT_GT(n, 50u);
  auto has = [&](const std::string& s) { return text.find(s) != std::string::npos; };
  EXPECT_TRUE(
      has("signpost_http_requests_total{route=\"/healthz\",method=\"GET\",code=\"200\"} 2\n"))
      << text;
  EXPECT_TRUE(
      has("signpost_http_requests_total{route=\"/api/profiles/{id}\",method=\"GET\",code=\"404\"} "
          "1\n"));
  EXPECT_TRUE(
      has("signpost_http_requests_total{route=\"/api/profiles/{id}\",method=\"GET\",code=\"401\"} "
          "1\n"));
  EXPECT_TRUE(has("signpost_http_requests_total{route=\"other\",method=\"GET\",code=\"404\"} 1\n"));
  EXPECT_TRUE(
      has("signpost_http_requests_total{route=\"/v1/track\",method=\"POST\",code=\"200\"} 1\n"));
  EXPECT_FALSE(has("nobody-42")) << "a raw path became a label";
  EXPECT_TRUE(
      has("signpost_http_request_duration_seconds_bucket{route=\"/"
          "healthz\",method=\"GET\",le=\"+Inf\"} 2\n"));
  EXPECT_TRUE(
      has("signpost_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\"} 2\n"));
  EXPECT_TRUE(has("signpost_build_info{version=\""));
}

// The access log: one JSON line per request with its route, status and sizes; the query string
// and the secret path segments (a key's token) never written.
TEST_F(ServerTest, AccessLogWritesOneLinePerRequestAndNoSecret) {
  const fs::path log_path = dir_ / "access.log";
  auto log = AccessLog::Open(log_path.string(), LogFormat::kJson);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ServerOptions so;
  so.access_log = std::move(*log);
  Start(so);
  auto c = Client();
  c.set_default_headers({{"User-Agent", "test-agent/1.0"}});
  ASSERT_TRUE(c.Post("/v1/track", {{"Authorization", Basic(write_)}},
                     R"({"userId":"u1","event":"E"})", "application/json"));
  auto revoked = c.Delete("/api/keys/" + write_ + "?token=" + admin_, Admin());
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200) << revoked->body;
  ASSERT_TRUE(c.Get("/healthz"));
  server_->Stop();
  serving_.join();
  server_.reset();  // the server's share of the log; the test's goes next, writing what is left
  so.access_log.reset();
  std::ifstream in(log_path);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  EXPECT_EQ(text.find(write_), std::string::npos) << text;
  EXPECT_EQ(text.find(admin_), std::string::npos) << text;
  std::istringstream lines(text);
  std::vector<json> entries;
  std::string line;
  while (std::getline(lines, line)) entries.push_back(json::parse(line));
  ASSERT_EQ(entries.size(), 3u) << text;
  // A line is written when its reply is; the client's next request may be answered (and logged)
  // before the completion of the previous reply's write is: the lines in the order of the requests.
  auto order = [](const json& e) {
    const std::string method = e["method"];
    return method == "POST" ? 0 : method == "DELETE" ? 1 : 2;
  };
  std::sort(entries.begin(), entries.end(),
            [&](const json& a, const json& b) { return order(a) < order(b); });
  EXPECT_EQ(entries[0]["method"], "POST");
  EXPECT_EQ(entries[0]["path"], "/v1/track");
  EXPECT_EQ(entries[0]["route"], "/v1/track");
  EXPECT_EQ(entries[0]["status"], 200);
  EXPECT_EQ(entries[0]["bytes_in"], 27);
  EXPECT_GT(entries[0]["bytes_out"].get<int>(), 0);
  EXPECT_EQ(entries[0]["remote"], "127.0.0.1");
  EXPECT_EQ(entries[0]["user_agent"], "test-agent/1.0");
  EXPECT_EQ(entries[0]["logger"], "access");
  EXPECT_EQ(entries[1]["method"], "DELETE");
  EXPECT_EQ(entries[1]["path"], "/api/keys/{token}");
  EXPECT_EQ(entries[2]["path"], "/healthz");
  for (const json& e : entries) {
    EXPECT_GE(e["duration_ms"].get<double>(), 0.0);
    EXPECT_TRUE(e["time"].get<std::string>().ends_with("Z"));
  }
}

TEST_F(ServerTest, StaticFilesStayInsideTheWebRoot) {
  Start();
  auto c = Client();
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, "<html>dashboard</html>");
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  auto js = c.Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                           "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/nothing.js"}) {
    std::string reply = Exchange(
        port_, std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(reply.find("secret"), std::string::npos) << path;
    EXPECT_TRUE(reply.substr(0, 12) == "HTTP/1.1 400" || reply.substr(0, 12) == "HTTP/1.1 404")
        << path << reply;
  }
}

// Regression: 8 clients sending one header byte every 3 s held all 8 workers for 40 s. A header
// now has one deadline from its first byte, and waiting clients hold no thread.
TEST_F(ServerTest, SlowHeadersAreCutAtTheDeadlineAndHoldNoThread) {
  ServerOptions so;
  so.header_timeout_ms = 500;
  Start(so);
  std::vector<int> slow;
  for (int i = 0; i < 12; ++i) {
    slow.push_back(Connect(port_));
    SendAll(slow.back(), "G");
  }
  auto c = Client();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) {
    for (int fd : slow) SendAll(fd, "E");  // a byte each round: the deadline must not restart
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto h = c.Get("/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
  }
  for (int fd : slow) {
    std::string rest = ReadToClose(fd);  // closed by the server
    EXPECT_EQ(rest, "");
    ::close(fd);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
}

TEST_F(ServerTest, ConnectionsOverTheLimitAreClosedAtOnce) {
  ServerOptions so;
  so.max_connections = 4;
  Start(so);
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(Connect(port_));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string reply = Exchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reply, "");
  for (int fd : idle) ::close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto h = Client().Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

// ---- the browser SDK (analytics.js): one-letter routes, text/plain bodies, CORS -----------------

std::string HeaderOf(const std::string& reply, std::string_view name) {
  const std::string key = "\r\n" + std::string(name) + ": ";
  const size_t at = reply.find(key);
  if (at == std::string::npos) return "";
  const size_t from = at + key.size();
  return reply.substr(from, reply.find("\r\n", from) - from);
}

std::string Post(std::string_view path, std::string_view headers, std::string_view body) {
  return fmt::format(
      "POST {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{}Content-Length: {}\r\n\r\n{}", path,
      headers, body.size(), body);
}

TEST_F(ServerTest, TheBrowserSdksShortRoutesAreTheLongOnesWithTextPlainBodies) {
  Start();
  auto c = Client();
  const std::pair<const char*, json> kCalls[] = {
      {"/v1/t", {{"event", "Signed Up"}, {"anonymousId", "anon-1"}}},
      {"/v1/p", {{"name", "Pricing"}, {"anonymousId", "anon-1"}}},
      {"/v1/s", {{"name", "Home"}, {"anonymousId", "anon-1"}}},
      {"/v1/i", {{"userId", "ada"}, {"anonymousId", "anon-1"}, {"traits", {{"plan", "pro"}}}}},
      {"/v1/g", {{"userId", "ada"}, {"groupId", "acme"}}},
      {"/v1/a", {{"userId", "ada"}, {"previousId", "anon-2"}}},
      {"/v1/b", {{"batch", {{{"type", "track"}, {"event", "B"}, {"userId", "ada"}}}}}},
  };
  int n = 0;
  for (const auto& [path, call] : kCalls) {
    json body = call;
    body["writeKey"] = write_;  // as analytics.js sends it, beside its Basic auth header
    body["messageId"] = fmt::format("m-{}", n);
    const char* type = ++n % 2 ? "text/plain" : "text/plain;charset=UTF-8";
    auto r = c.Post(path, body.dump(), type);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << " " << r->body;
    EXPECT_EQ(json::parse(r->body)["accepted"], 1) << path;
  }
  EXPECT_EQ(engine_->EventCount(), 7u);
  EXPECT_EQ(engine_->Profile("anon-1")->id, engine_->Profile("ada")->id);

  // The same refusals and limits as the long routes, byte for byte.
  for (const auto& [body, headers] : std::initializer_list<std::pair<std::string, std::string>>{
           {R"({"event":"A","userId":"u"})", ""},                       // no key: 401
           {R"({"event":"A","userId":"u","writeKey":"wk_nope"})", ""},  // unknown key: 401
           {std::string(70000, ' '), ""},                               // over 64 KiB unkeyed
           {R"({"userId":"u"})", "Authorization: " + Basic(write_) + "\r\n"},  // no event: 400
       }) {
    const std::string long_reply = Exchange(port_, Post("/v1/track", headers, body));
    const std::string short_reply = Exchange(port_, Post("/v1/t", headers, body));
    EXPECT_EQ(short_reply.substr(0, 12), long_reply.substr(0, 12)) << short_reply;
    EXPECT_EQ(short_reply.substr(short_reply.find("\r\n\r\n")),
              long_reply.substr(long_reply.find("\r\n\r\n")));
  }
  EXPECT_EQ(engine_->EventCount(), 7u);
}

// analytics.js posts its own telemetry to /v1/m: accepted and dropped, under the small bound of a
// route that takes no credentials.
TEST_F(ServerTest, TheBrowserSdksMetricsAreAcceptedAndDroppedUnderASmallBound) {
  Start();
  auto c = Client();
  auto r = c.Post("/v1/m",
                  R"({"series":[{"type":"Counter","metric":"analytics_js.invoke","value":1,)"
                  R"("tags":{"library":"analytics.js"}}]})",
                  "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  std::string reply = Exchange(port_, "POST /v1/m HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                          std::to_string(64 * 1024 + 1) + "\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 413") << reply;
  EXPECT_NE(reply.find("unauthenticated_body_bytes = 65536"), std::string::npos) << reply;
  EXPECT_EQ(engine_->EventCount(), 0u);
}

TEST_F(ServerTest, CorsAllowsTheListedOriginsOnTheIngestRoutesOnly) {
  ServerOptions so;
  so.cors_origins = *CorsPolicy::ParseOrigins("https://shop.example.com");
  Start(so);
  const std::string shop = "Origin: https://shop.example.com\r\n";
  const std::string evil = "Origin: https://evil.example\r\n";
  const std::string preflight =
      "Access-Control-Request-Method: POST\r\n"
      "Access-Control-Request-Headers: authorization,content-type\r\n\r\n";

  // The preflight of analytics.js (it sends the write key as Basic auth, so it needs one).
  std::string reply = Exchange(
      port_, "OPTIONS /v1/t HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + shop + preflight);
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 204") << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "https://shop.example.com");
  // The rest of the preflight's headers are CorsPolicy's (cors_test.cc).
  EXPECT_NE(HeaderOf(reply, "Access-Control-Allow-Headers").find("Authorization"),
            std::string::npos);
  reply = Exchange(port_,
                   "OPTIONS /v1/t HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + evil + preflight);
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 403") << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "");

  // Actual requests: the allowed origin can read every reply, errors included.
  auto event = [this](int id) {
    return fmt::format(R"({{"event":"A","userId":"u","messageId":"m{}","writeKey":"{}"}})", id,
                       write_);
  };
  reply = Exchange(port_, Post("/v1/t", shop, event(1)));
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 200") << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "https://shop.example.com");
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Expose-Headers"), "Retry-After");
  reply = Exchange(port_,
                   Post("/v1/t", shop + "Authorization: " + Basic("wk_nope") + "\r\n", event(2)));
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 401") << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "https://shop.example.com");
  reply = Exchange(port_, Post("/v1/t", shop, R"({"userId":"u","writeKey":")" + write_ + "\"}"));
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 400") << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "https://shop.example.com");
  // Another origin is refused before its body: a text/plain POST needs no preflight, so a
  // browser would send it, and only the server can keep it out.
  reply = Exchange(port_, Post("/v1/t", evil, event(3)));
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 403") << reply;
  EXPECT_NE(reply.find("--cors-origins"), std::string::npos) << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "");
  // No Origin (a server-side SDK): no CORS headers, served as always.
  reply = Exchange(port_, Post("/v1/track", "", event(4)));
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 200") << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "");
  // Outside /v1/ CORS does not apply: the admin API is never callable from another origin.
  reply = Exchange(port_, "GET /api/keys HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + shop +
                              "Authorization: Bearer " + admin_ + "\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 200") << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "");
  EXPECT_EQ(engine_->EventCount(), 2u);
}

TEST_F(ServerTest, WithoutCorsOriginsNoCorsHeaderIsSentAndAPreflightSaysHowToEnableIt) {
  Start();
  const std::string shop = "Origin: https://shop.example.com\r\n";
  std::string reply = Exchange(port_, "OPTIONS /v1/t HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                          shop + "Access-Control-Request-Method: POST\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 403") << reply;
  EXPECT_NE(reply.find("start serve with --cors-origins"), std::string::npos) << reply;
  reply = Exchange(
      port_, Post("/v1/t", shop, R"({"event":"A","userId":"u","writeKey":")" + write_ + "\"}"));
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 200") << reply;
  EXPECT_EQ(HeaderOf(reply, "Access-Control-Allow-Origin"), "");
}

// ---- TLS: `serve --tls-cert --tls-key` --------------------------------------------------------

// Sends `request` over TLS on a new connection (no certificate check: this tests the server's
// edge) and returns what comes back before the close; "" when the handshake fails.
std::string TlsExchange(int port, std::string_view request) {
  int fd = Connect(port);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  std::string out;
  if (SSL_connect(ssl) == 1) {
    while (!request.empty()) {
      const int n = SSL_write(ssl, request.data(), static_cast<int>(request.size()));
      if (n <= 0) break;
      request.remove_prefix(n);
    }
    char buf[4096];
    for (int n; (n = SSL_read(ssl, buf, sizeof buf)) > 0;) out.append(buf, n);
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return out;
}

class TlsServerTest : public ServerTest {
 protected:
  void StartTls(ServerOptions so = {}) {
    // OpenSSL writes with write(): a connection the server closes must not kill the test binary.
    std::signal(SIGPIPE, SIG_IGN);
    cert_ = (dir_ / "cert.pem").string();
    ASSERT_TRUE(WriteTestCertificate(cert_, (dir_ / "key.pem").string()));
    so.tls_cert_file = cert_;
    so.tls_key_file = (dir_ / "key.pem").string();
    Start(so);
  }
  // An HTTPS client that checks the server's certificate against the test's.
  std::unique_ptr<httplib::SSLClient> Https() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    c->set_ca_cert_path(cert_.c_str());
    c->enable_server_certificate_verification(true);
    c->set_read_timeout(10);
    return c;
  }
  std::string cert_;
};

TEST_F(TlsServerTest, ServesHttpsAndAnswersPlainHttpWithA400) {
  StartTls();
  auto c = Https();
  auto h = c->Get("/healthz");
  ASSERT_TRUE(h) << httplib::to_string(h.error());
  EXPECT_EQ(h->status, 200);
  for (int i = 0; i < 3; ++i) {  // keep-alive over the one TLS connection
    auto r = c->Post("/v1/t", {{"Authorization", Basic(write_)}},
                     fmt::format(R"({{"event":"A","userId":"ada","messageId":"tls-{}"}})", i),
                     "text/plain");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  EXPECT_EQ(engine_->EventCount(), 3u);
  std::string reply = Exchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 400") << reply;
  EXPECT_NE(reply.find("this port speaks HTTPS only"), std::string::npos) << reply;
}

TEST_F(TlsServerTest, TheEdgeLimitsHoldOverTls) {
  StartTls();
  const std::string auth = "Authorization: " + Basic(write_) + "\r\n";
  std::string reply = TlsExchange(
      port_, "POST /v1/batch HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 9000000\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 413") << reply;
  reply = TlsExchange(port_,
                      "POST /api/definitions HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 300000000\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 401") << reply;
  reply = TlsExchange(
      port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 431") << reply;
  // A body refused while the client is still sending it: the reply is still read.
  reply =
      TlsExchange(port_, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                             std::string(100000, 'x'));
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 401") << reply;
  EXPECT_EQ(engine_->EventCount(), 0u);
}

// A client that opens a connection and never finishes the TLS handshake holds its slot only
// until the handshake deadline, not forever.
TEST_F(TlsServerTest, AHandshakeThatNeverEndsIsCutAtItsDeadline) {
  ServerOptions so;
  so.tls_handshake_timeout_ms = 300;
  so.max_connections = 2;
  StartTls(so);
  const auto start = std::chrono::steady_clock::now();
  int silent = Connect(port_);   // sends nothing
  int partial = Connect(port_);  // starts a handshake record and stops
  SendAll(partial, std::string("\x16\x03\x01\x02\x00\x01", 6));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(Https()->Get("/healthz"));  // both slots held: a third connection is closed at once
  EXPECT_EQ(ReadToClose(silent), "");
  EXPECT_EQ(ReadToClose(partial), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ::close(silent);
  ::close(partial);
  auto h = Https()->Get("/healthz");  // the slots are free again
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

TEST_F(TlsServerTest, ASlowHeaderAfterTheHandshakeIsCutAtTheHeaderDeadline) {
  ServerOptions so;
  so.header_timeout_ms = 300;
  StartTls(so);
  const auto start = std::chrono::steady_clock::now();
  // The handshake, then one header byte: the header deadline closes the connection.
  EXPECT_EQ(TlsExchange(port_, "G"), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace signpost::api
