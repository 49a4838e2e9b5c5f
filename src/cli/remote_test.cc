// Remote mode's client: URL encoding, and every way a call can fail turned into the Status (and
// so the `error:` line and exit code) local mode gives — against a real HTTP server on loopback.
#include "cli/remote.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace signpost::cli {
namespace {

using nlohmann::json;

TEST(RemoteTest, UrlEncodeKeepsOnlyUnreservedBytes) {
  EXPECT_EQ(UrlEncode("user:42/a b+c%"), "user%3A42%2Fa%20b%2Bc%25");
  EXPECT_EQ(UrlEncode("A-z_0.9~"), "A-z_0.9~");
  EXPECT_EQ(UrlEncode("\xc3\xa9"), "%C3%A9");
}

TEST(RemoteTest, QueryStringEncodesKeysAndValues) {
  EXPECT_EQ(QueryString(json::object()), "");
  EXPECT_EQ(QueryString({{"steps", "A>B"}, {"top", 5}}), "?steps=A%3EB&top=5");
  EXPECT_EQ(QueryString({{"cost.email", "0.5"}}), "?cost.email=0.5");
}

TEST(RemoteTest, TheApiErrorBecomesItsStatus) {
  Status s = RemoteError(
      404, R"({"success":false,"error":{"code":"not_found","message":"no journey 'x'"}})",
      "http://h:1");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "no journey 'x'") << "the same message local mode prints";
  s = RemoteError(400, R"({"error":{"code":"invalid_argument","message":"limit: bad"}})", "u");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  s = RemoteError(409, R"({"error":{"code":"from_the_future","message":"m"}})", "u");
  EXPECT_EQ(s.code(), Code::kInternal) << "an unknown code is still an error";
  EXPECT_EQ(s.message(), "m");
}

TEST(RemoteTest, ARefusedTokenSaysWhereATokenComesFrom) {
  Status s =
      RemoteError(401, R"({"error":{"code":"unauthenticated","message":"x"}})", "http://h:1");
  EXPECT_EQ(s.code(), Code::kUnauthenticated);
  EXPECT_EQ(s.message().rfind("http://h:1 refused the admin token: give a live one with --token, "
                              "SIGNPOST_TOKEN or `token:` in the config file",
                              0),
            0u)
      << s.message();
}

TEST(RemoteTest, AReplyThatIsNotTheApisNamesTheStatus) {
  Status s = RemoteError(502, "<html>\nBad gateway</html>", "http://h:1");
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(), "http://h:1 answered HTTP 502: <html> Bad gateway</html>");
  EXPECT_EQ(RemoteError(503, "", "http://h:1").message(), "http://h:1 answered HTTP 503");
}

// A loopback server answering what each test sets.
class RemoteCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/api/ok", [this](const httplib::Request& req, httplib::Response& res) {
      last_auth_ = req.get_header_value("Authorization");
      res.set_content(R"({"count": 3})", "application/json");
    });
    server_.Post("/api/echo", [this](const httplib::Request& req, httplib::Response& res) {
      last_auth_ = req.get_header_value("Authorization");
      res.set_content(json{{"body", req.body},
                           {"type", req.get_header_value("Content-Type")},
                           {"q", req.get_param_value("q")}}
                          .dump(),
                      "application/json");
    });
    server_.Delete("/api/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"success":false,"error":{"code":"not_found","message":"no key 'k'"}})",
                      "application/json");
    });
    server_.Get("/api/text", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello", "text/plain");
    });
    server_.Get("/api/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    g_.server = "http://127.0.0.1:" + std::to_string(port_) + "/";  // a trailing / is fine
    g_.token = "spa_test";
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  Globals g_;
  std::string last_auth_;
};

TEST_F(RemoteCallTest, SendsTheTokenAndReturnsTheDocument) {
  EXPECT_TRUE(IsRemote(g_));
  auto r = RemoteCall(g_, "GET", "/api/ok");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["count"], 3);
  EXPECT_EQ(last_auth_, "Bearer spa_test");
}

TEST_F(RemoteCallTest, PostsTheBodyWithItsType) {
  auto r = RemoteCall(g_, "POST", "/api/echo?q=a%20b", R"({"x":1})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["body"], R"({"x":1})");
  EXPECT_EQ((*r)["type"], "application/json");
  EXPECT_EQ((*r)["q"], "a b");
  r = RemoteCall(g_, "POST", "/api/echo", "raw", "application/octet-stream");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["type"], "application/octet-stream");
}

TEST_F(RemoteCallTest, TheServersErrorIsTheLocalError) {
  auto r = RemoteCall(g_, "DELETE", "/api/missing");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "no key 'k'");
}

TEST_F(RemoteCallTest, AReplyThatIsNotJsonIsNamed) {
  auto r = RemoteCall(g_, "GET", "/api/text");
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_NE(r.status().message().find("is not JSON; is http://127.0.0.1:"), std::string::npos)
      << r.status().message();
}

TEST_F(RemoteCallTest, ATimeoutNamesTheServerAndTheFlag) {
  g_.timeout_s = 0.2;
  auto r = RemoteCall(g_, "GET", "/api/slow");
  EXPECT_EQ(r.status().code(), Code::kIoError);
  EXPECT_NE(r.status().message().find("no reply within 0.2 s (--timeout)"), std::string::npos)
      << r.status().message();
}

TEST(RemoteTest, NoServerThereNamesTheUrl) {
  Globals g;
  g.server = "http://127.0.0.1:1";  // a privileged port nothing listens on
  g.timeout_s = 5;
  auto r = RemoteCall(g, "GET", "/api/keys");
  EXPECT_EQ(r.status().code(), Code::kIoError);
  EXPECT_EQ(r.status().message().rfind("cannot reach the signpost server at " + g.server + ": ", 0),
            0u)
      << r.status().message();
  EXPECT_NE(r.status().message().find("is `signpost serve` running there?"), std::string::npos);
}

TEST(RemoteTest, AnUnknownHostIsNamed) {
  Globals g;
  g.server = "http://no-such-host.invalid";
  auto r = RemoteCall(g, "GET", "/api/keys");
  EXPECT_EQ(r.status().code(), Code::kIoError);
  EXPECT_EQ(r.status().message().rfind(
                "cannot reach the signpost server at http://no-such-host.invalid", 0),
            0u)
      << r.status().message();
}

// TLS: a server with a self-signed certificate is refused unless its CA is given (--cacert) or the
// check is turned off (--insecure).
TEST(RemoteTest, TlsIsVerifiedAgainstTheGivenCa) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("signpost-remote-tls-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string make = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " +
                           cert +
                           " -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 "
                           ">/dev/null 2>&1";
  if (std::system(make.c_str()) != 0) GTEST_SKIP() << "no openssl command to make a certificate";
  httplib::SSLServer server(cert.c_str(), key.c_str());
  ASSERT_TRUE(server.is_valid());
  server.Get("/api/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"tls": true})", "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&server] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Globals g;
  g.server = "https://127.0.0.1:" + std::to_string(port);
  g.timeout_s = 10;
  auto refused = RemoteCall(g, "GET", "/api/ok");
  EXPECT_EQ(refused.status().code(), Code::kIoError);
  EXPECT_NE(refused.status().message().find("give its CA with --cacert FILE (or --insecure)"),
            std::string::npos)
      << refused.status().message();
  g.cacert = cert;
  auto trusted = RemoteCall(g, "GET", "/api/ok");
  ASSERT_TRUE(trusted.ok()) << trusted.status().ToString();
  EXPECT_EQ((*trusted)["tls"], true);
  g.cacert.clear();
  g.insecure = true;
  EXPECT_TRUE(RemoteCall(g, "GET", "/api/ok").ok());
  server.stop();
  serving.join();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace signpost::cli
