#include "api/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "api/log_writer.h"
#include "api/logging.h"
#include "api/request_telemetry.h"

namespace signpost::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr TimeMs kTime = 1796623200123;  // 2026-12-07T06:00:00.123Z

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("DELETE", "/api/keys/{token}", Access::kAdmin, nullptr);
    router_.Add("GET", "/t/o/{token}.gif", Access::kPublic, nullptr);
    router_.Add("GET", "/api/profiles/{id}/events", Access::kAdmin, nullptr);
    trace_.remote = "10.0.0.7";
    trace_.user_agent = "curl/7.88.1";
    trace_.bytes_in = 12;
  }
  // The line for `target` (path and query) answered with `status`.
  std::string LineFor(const std::string& method, const std::string& target, LogFormat format,
                      int status = 200) {
    request_ = Request{};
    request_.method = method;
    EXPECT_TRUE(ParseTarget(target, request_).ok());
    AccessRecord r;
    r.time = kTime;
    r.trace = &trace_;
    r.request = &request_;
    r.route = router_.Find(method, request_.segments, request_.captures);
    r.status = status;
    r.bytes_out = 345;
    r.seconds = 0.00125;
    return AccessLog::Line(r, format);
  }
  Router router_;
  RequestTrace trace_;
  Request request_;
};

TEST_F(AccessLogTest, TextIsOneNginxLikeLine) {
  EXPECT_EQ(LineFor("GET", "/api/profiles/user-42/events?limit=5", LogFormat::kText),
            "2026-12-07T06:00:00.123Z 10.0.0.7 \"GET /api/profiles/user-42/events\" 200 12 345 "
            "0.001250 \"curl/7.88.1\"\n");
}

TEST_F(AccessLogTest, JsonHasEveryFieldAndTheRoutePattern) {
  const std::string line = LineFor("GET", "/api/profiles/user-42/events", LogFormat::kJson, 404);
  ASSERT_TRUE(line.ends_with("}\n"));
  const json j = json::parse(line);
  EXPECT_EQ(j["time"], "2026-12-07T06:00:00.123Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "access");
  EXPECT_EQ(j["remote"], "10.0.0.7");
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["path"], "/api/profiles/user-42/events");
  EXPECT_EQ(j["route"], "/api/profiles/{id}/events");
  EXPECT_EQ(j["status"], 404);
  EXPECT_EQ(j["bytes_in"], 12);
  EXPECT_EQ(j["bytes_out"], 345);
  EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), 1.25);
  EXPECT_EQ(j["user_agent"], "curl/7.88.1");
  EXPECT_EQ(json::parse(LineFor("GET", "/nothing/here", LogFormat::kJson))["route"], "other");
}

// Regression guard: a key's token in the revocation path, a tracking token, a token in the query
// string: none of them reaches the log.
TEST_F(AccessLogTest, NeverASecret) {
  for (LogFormat f : {LogFormat::kText, LogFormat::kJson}) {
    const std::string revoke = LineFor("DELETE", "/api/keys/sk_live_SECRET1", f);
    EXPECT_EQ(revoke.find("SECRET1"), std::string::npos) << revoke;
    EXPECT_NE(revoke.find("/api/keys/{token}"), std::string::npos) << revoke;
    const std::string pixel = LineFor("GET", "/t/o/SECRET2.gif", f);
    EXPECT_EQ(pixel.find("SECRET2"), std::string::npos) << pixel;
    EXPECT_NE(pixel.find("/t/o/{token}.gif"), std::string::npos) << pixel;
    const std::string query = LineFor("GET", "/api/profiles/p/events?token=SECRET3&x=1", f);
    EXPECT_EQ(query.find("SECRET3"), std::string::npos) << query;
    EXPECT_EQ(query.find('?'), std::string::npos) << query;
  }
}

TEST_F(AccessLogTest, HostileBytesStayOnOneLine) {
  trace_.user_agent = "evil\"\n\\agent\x01";
  const std::string text = LineFor("GET", "/a%0Ab\"c", LogFormat::kText, 404);
  EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  EXPECT_NE(text.find("\"evil\\x22\\x0A\\x5Cagent\\x01\""), std::string::npos) << text;
  EXPECT_NE(text.find("/a%0Ab\\x22c"), std::string::npos) << text;
  const std::string j = LineFor("GET", "/a%0Ab\"c", LogFormat::kJson, 404);
  EXPECT_EQ(j.find('\n'), j.size() - 1) << j;
  EXPECT_EQ(json::parse(j)["user_agent"], "evil\"\n\\agent\x01");
}

TEST_F(AccessLogTest, LongPathsAreCut) {
  const std::string path = "/" + std::string(5000, 'a');
  EXPECT_EQ(AccessLog::LoggedPath(
                [&] {
                  Request r;
                  r.path = path;
                  return r;
                }(),
                nullptr)
                .size(),
            1024u);
}

// ---- the writer behind both logs

std::string TempPath() {
  return (fs::temp_directory_path() /
          ("signpost-log-test-" + std::to_string(std::random_device{}()) + ".log"))
      .string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LogWriter, AppendsEveryLineInOrderAndFlushWaitsForThem) {
  const std::string path = TempPath();
  std::ofstream(path) << "before\n";  // appended to, never truncated
  auto w = LogWriter::Open(path);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::string expected = "before\n";
  for (int i = 0; i < 1000; ++i) {
    const std::string line = "line " + std::to_string(i) + "\n";
    (*w)->Write(line);
    expected += line;
  }
  (*w)->Flush();
  EXPECT_EQ(ReadAll(path), expected);
  EXPECT_EQ((*w)->dropped(), 0u);
  (*w)->Write("last\n");
  w->reset();  // the destructor writes what is buffered
  EXPECT_EQ(ReadAll(path), expected + "last\n");
  fs::remove(path);
}

// A destination that takes nothing (a pipe nobody reads): Write never waits, lines over the bound
// are dropped and counted, and the stop gives up on the rest after the grace period instead of
// hanging (serve must stop even when its stdout is a pipe nobody reads).
TEST(LogWriter, AStalledDestinationDropsInsteadOfBlocking) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto w = LogWriter::ToDescriptor(fds[1], 4096);
  const std::string line(100, 'x');
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20000; ++i) w->Write(line + "\n");  // 2 MB into a 64 KiB pipe
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_GT(w->dropped(), 10000u);
  const auto stop = std::chrono::steady_clock::now();
  w.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - stop,
            std::chrono::milliseconds(LogWriter::kStopGraceMs + 2000));
  ::close(fds[1]);
  ::close(fds[0]);
}

TEST(LogWriter, AFileThatCannotBeOpenedIsNamed) {
  auto w = LogWriter::Open("/nonexistent-dir/access.log");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("/nonexistent-dir/access.log"), std::string::npos);
}

// ---- the application log's format

TEST(ApplicationLogFormat, OneJsonObjectPerLine) {
  const std::string line =
      JsonLogLine(kTime, spdlog::level::warn, "signpost", "delivery: \"x\"\nfailed");
  ASSERT_TRUE(line.ends_with("}\n"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const json j = json::parse(line);
  EXPECT_EQ(j["time"], "2026-12-07T06:00:00.123Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["logger"], "signpost");
  EXPECT_EQ(j["message"], "delivery: \"x\"\nfailed");
}

TEST(ApplicationLogFormat, LevelsAndFormatsByName) {
  EXPECT_EQ(*ParseLogLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(*ParseLogLevel("warn"), spdlog::level::warn);
  EXPECT_EQ(*ParseLogLevel("off"), spdlog::level::off);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
  EXPECT_EQ(LogLevelName(spdlog::level::err), "error");
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace signpost::api

namespace signpost::api {
namespace {

// What one answered request costs the thread that writes its reply: the metrics alone, and the
// metrics plus a JSON access log line to /dev/null (formatted and buffered; the writer thread
// writes). Run by hand: api_test --gtest_also_run_disabled_tests --gtest_filter='*MeasureFinish*'
TEST(RequestTelemetryMeasure, DISABLED_MeasureFinishCost) {
  Router router;
  router.Add("POST", "/v1/track", Access::kWrite, nullptr);
  Request req;
  req.method = "POST";
  ASSERT_TRUE(ParseTarget("/v1/track", req).ok());
  std::vector<std::string> captures;
  const Route* route = router.Find("POST", req.segments, captures);
  RequestTrace trace;
  trace.remote = "127.0.0.1";
  trace.user_agent = "analytics-node-next/latest";
  trace.bytes_in = 120;
  constexpr int kRequests = 1'000'000;
  for (bool with_log : {false, true}) {
    std::shared_ptr<AccessLog> log;
    if (with_log) {
      auto opened = AccessLog::Open("/dev/null", LogFormat::kJson);
      ASSERT_TRUE(opened.ok());
      log = std::move(opened).value();
    }
    RequestTelemetry telemetry(log);
    telemetry.Prepare(router);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRequests; ++i) {
      RequestTelemetry::Begin(trace);
      telemetry.Finish(trace, req, route, 200, 60);
    }
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
        kRequests;
    std::printf("%s: %.0f ns per request (dropped %llu)\n",
                with_log ? "metrics + JSON access log" : "metrics only", ns,
                static_cast<unsigned long long>(log ? log->dropped() : 0));
  }
}

}  // namespace
}  // namespace signpost::api
