#include "api/http_metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace signpost::api {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

class HttpMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/api/funnels/{id}/report", Access::kAdmin, nullptr);
    router_.Add("POST", "/v1/track", Access::kWrite, nullptr);
    router_.Add("GET", "/api/profiles/{id}", Access::kAdmin, nullptr);
    router_.Add("GET", "/api/profiles/{id}", Access::kAdmin, nullptr);  // same: one series
    metrics_.Prepare(router_);
  }
  const Route* RouteOf(const std::string& method, std::vector<std::string> segments) {
    std::vector<std::string> captures;
    return router_.Find(method, segments, captures);
  }
  std::string Text() {
    std::string out;
    metrics_.AppendText(out);
    return out;
  }
  Router router_;
  HttpMetrics metrics_;
};

TEST_F(HttpMetricsTest, CountsByRoutePatternMethodAndCode) {
  const Route* report = RouteOf("GET", {"api", "funnels", "f-1", "report"});
  ASSERT_NE(report, nullptr);
  metrics_.Observe(report, "GET", 200, milliseconds(3));
  metrics_.Observe(report, "GET", 200, milliseconds(30));
  metrics_.Observe(report, "GET", 404, microseconds(200));
  metrics_.Observe(RouteOf("POST", {"v1", "track"}), "POST", 200, microseconds(700));
  const std::string text = Text();
  EXPECT_NE(text.find("signpost_http_requests_total{route=\"/api/funnels/{id}/report\",method="
                      "\"GET\",code=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("signpost_http_requests_total{route=\"/api/funnels/{id}/report\",method="
                      "\"GET\",code=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("signpost_http_requests_total{route=\"/v1/track\",method=\"POST\",code="
                      "\"200\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("f-1"), std::string::npos) << "never the raw path";
  EXPECT_EQ(text.find("code=\"500\""), std::string::npos) << "only codes that happened";
}

TEST_F(HttpMetricsTest, TheHistogramIsCumulativeWithSumAndCount) {
  const Route* report = RouteOf("GET", {"api", "funnels", "f", "report"});
  metrics_.Observe(report, "GET", 200, microseconds(200));    // le 0.0005
  metrics_.Observe(report, "GET", 200, milliseconds(3));      // le 0.005
  metrics_.Observe(report, "GET", 200, milliseconds(30));     // le 0.05
  metrics_.Observe(report, "GET", 200, milliseconds(20000));  // over every bound: +Inf only
  const std::string text = Text();
  const std::string p =
      "signpost_http_request_duration_seconds_bucket{route=\"/api/funnels/{id}/report\","
      "method=\"GET\",le=";
  for (const auto& [le, n] : std::vector<std::pair<std::string, int>>{{"0.0005", 1},
                                                                      {"0.001", 1},
                                                                      {"0.0025", 1},
                                                                      {"0.005", 2},
                                                                      {"0.025", 2},
                                                                      {"0.05", 3},
                                                                      {"10", 3},
                                                                      {"+Inf", 4}})
    EXPECT_NE(text.find(p + "\"" + le + "\"} " + std::to_string(n) + "\n"), std::string::npos)
        << le << "\n"
        << text;
  EXPECT_NE(text.find("signpost_http_request_duration_seconds_sum{route=\"/api/funnels/{id}/"
                      "report\",method=\"GET\"} 20.033200000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("signpost_http_request_duration_seconds_count{route=\"/api/funnels/{id}/"
                      "report\",method=\"GET\"} 4\n"),
            std::string::npos);
  EXPECT_EQ(text.find("route=\"/v1/track\""), std::string::npos) << "no series before a request";
}

TEST_F(HttpMetricsTest, UnmatchedRequestsAreOtherWithABoundedMethod) {
  metrics_.Observe(nullptr, "GET", 404, microseconds(10));
  metrics_.Observe(nullptr, "BREW", 400, microseconds(10));
  metrics_.Observe(nullptr, "", 431, microseconds(10));  // refused before the method was read
  const std::string text = Text();
  EXPECT_NE(
      text.find("signpost_http_requests_total{route=\"other\",method=\"GET\",code=\"404\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("signpost_http_requests_total{route=\"other\",method=\"other\",code=\"400\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("signpost_http_requests_total{route=\"other\",method=\"other\",code=\"431\"} 1\n"),
      std::string::npos);
  EXPECT_EQ(text.find("BREW"), std::string::npos);
}

TEST_F(HttpMetricsTest, RoutesAddedTwiceShareOneSeries) {
  const Route* profile = RouteOf("GET", {"api", "profiles", "p"});
  metrics_.Observe(profile, "GET", 200, microseconds(10));
  metrics_.Observe(&router_.routes()[3], "GET", 200, microseconds(10));
  const std::string text = Text();
  EXPECT_NE(text.find("signpost_http_requests_total{route=\"/api/profiles/{id}\",method=\"GET\","
                      "code=\"200\"} 2\n"),
            std::string::npos)
      << text;
}

TEST_F(HttpMetricsTest, CountsFromManyThreadsAddUp) {
  const Route* track = RouteOf("POST", {"v1", "track"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) metrics_.Observe(track, "POST", 200, microseconds(100));
    });
  for (auto& t : threads) t.join();
  EXPECT_NE(Text().find("signpost_http_requests_total{route=\"/v1/track\",method=\"POST\",code="
                        "\"200\"} 40000\n"),
            std::string::npos);
}

TEST(BuildInfoMetric, OneGaugeWithEscapedLabels) {
  std::string out;
  AppendBuildInfoMetric(out);
  EXPECT_NE(out.find("# TYPE signpost_build_info gauge\nsignpost_build_info{version=\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\",commit=\""), std::string::npos);
  EXPECT_NE(out.find("\",build_type=\""), std::string::npos);
  EXPECT_NE(out.find("\",compiler=\""), std::string::npos);
  EXPECT_TRUE(out.ends_with("\"} 1\n")) << out;
}

}  // namespace
}  // namespace signpost::api
