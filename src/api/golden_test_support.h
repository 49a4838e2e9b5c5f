// Golden tests of the HTTP API's JSON: one engine with a fixed data set (a funnel, two journeys
// with goals, a static segment, twelve people over four days, the journeys run), a list of calls
// answered through the real routes, and the replies pinned byte for byte in
// src/api/testdata/<name>.golden. Each *_json_test.cc pins one area's documents (the ones
// docs/openapi.yaml describes and the dashboard reads). `SIGNPOST_UPDATE_GOLDEN=1
// build/src/api/api_test --gtest_filter='*Json*'` rewrites the files (only after a change of the
// documents that is meant).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/routes.h"
#include "engine/test_support.h"

namespace signpost::api {

inline constexpr const char* kGoldenDefinitions[] = {
    "kind: channel\nid: email\ntype: file\npath: email.ndjson\n",
    "kind: template\nid: welcome\nchannel: email\nsubject: Welcome\nhtml: \"<p>Hello</p>\"\n",
    R"(kind: funnel
id: checkout
name: Checkout
window: 3d
steps:
  - event: Signed Up
  - event: Viewed Pricing
  - event: Order Completed
)",
    R"(kind: journey
id: welcome
name: Welcome
entry: { event: Signed Up }
settings: { holdout: 30% }
goal:
  type: drive_purchase
  met_when:
    event: Order Completed
    where: { properties.revenue: { gt: 5 }, properties.plan: [free, pro, team] }
  target: { percent: 20 }
steps:
  - id: hello
    message: { channel: email, template: welcome }
)",
    R"(kind: journey
id: news
name: News
entry: { event: Viewed Pricing }
goal: { type: general_notification, met_when: opened_any_message, target: { count: 3 } }
steps:
  - id: letter
    message: { channel: email, template: welcome }
)"};

// Each request of the pinned list: method, target, body.
struct Call {
  const char* method;
  const char* target;
  const char* body = "";
};

class GoldenRoutesTest : public EngineFixture<> {
 protected:
  std::string StartAt() const override { return "2026-11-01T00:00:00Z"; }
  // Definitions an area's test adds to the common set, applied before the events, and the
  // journeys among them to start (live before the events arrive).
  virtual std::vector<std::string> MoreDefinitions() const { return {}; }
  virtual std::vector<std::string> MoreLiveJourneys() const { return {}; }
  // A reply as compared and pinned: an area whose replies hold random values (tokens, the hashed
  // messageIds of system events) masks them here.
  virtual std::string Masked(std::string reply) const { return reply; }

  void SetUp() override {
    EngineFixture::SetUp();
    for (const char* d : kGoldenDefinitions) {
      auto r = engine_->Apply(d, "test");
      ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << d;
    }
    for (const std::string& d : MoreDefinitions()) {
      auto r = engine_->Apply(d, "test");
      ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << d;
    }
    // A second version of the funnel, so `version=1` differs from the latest.
    ASSERT_TRUE(engine_->Apply(std::string(kGoldenDefinitions[2]) + "note: v2\n", "").ok());
    ASSERT_TRUE(engine_->SetJourneyState("welcome", "live").ok());
    ASSERT_TRUE(engine_->SetJourneyState("news", "live").ok());
    for (const std::string& id : MoreLiveJourneys()) {
      ASSERT_TRUE(engine_->SetJourneyState(id, "live").ok()) << id;
    }
    ASSERT_TRUE(
        engine_->ImportSegment(SegmentId("vip"), {"u1", "u3", "u5", "u7", "u9"}, "vip").ok());
    const std::string key = WriteKey();
    // Twelve people over four days: everyone signs up, most view pricing, some order.
    nlohmann::json batch = nlohmann::json::array();
    auto add = [&batch](int user, const char* event, const char* at, nlohmann::json properties) {
      batch.push_back({{"type", "track"},
                       {"userId", "u" + std::to_string(user)},
                       {"event", event},
                       {"timestamp", at},
                       {"messageId", "m" + std::to_string(batch.size())},
                       {"properties", std::move(properties)}});
    };
    const char* plans[] = {"free", "pro", "team"};
    for (int u = 0; u < 12; ++u) {
      const std::string day = "2026-11-0" + std::to_string(1 + u % 4);
      const nlohmann::json plan = {{"plan", plans[u % 3]}};
      batch.push_back({{"type", "identify"},
                       {"userId", "u" + std::to_string(u)},
                       {"traits",
                        {{"email", "u" + std::to_string(u) + "@example.com"},
                         {"consent", {{"email", u != 5}}}}},
                       {"timestamp", day + "T08:00:00Z"},
                       {"messageId", "m" + std::to_string(batch.size())}});
      add(u, "Signed Up", (day + "T09:00:00Z").c_str(), plan);
      if (u % 4 != 3)
        add(u, "Viewed Pricing", (day + "T1" + std::to_string(u % 6) + ":00:00Z").c_str(), plan);
      if (u % 3 == 1 || u == 0) {
        nlohmann::json props = {{"plan", plans[(u + 1) % 3]}, {"revenue", 10 + u}, {"amount", u}};
        add(u, "Order Completed", (day + "T20:00:00Z").c_str(), props);
      }
    }
    clock_.Set(*ParseIso8601("2026-11-06T00:00:00Z"));
    auto r = engine_->IngestHttp("batch", nlohmann::json{{"batch", batch}}.dump(), key);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rejections.size(), 0u);
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    clock_.Set(*ParseIso8601("2026-11-08T00:00:00Z"));
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    AddCoreRoutes(router_, *engine_);
    AddSegmentRoutes(router_, *engine_);
    AddDeliveryRoutes(router_, *engine_);
    AddJourneyRoutes(router_, *engine_);
    AddExperimentRoutes(router_, *engine_);
  }

  // The reply to one call, as "<status> <body>".
  std::string Reply(const Call& call) {
    Request req;
    req.method = call.method;
    req.body = call.body;
    Status parsed = ParseTarget(call.target, req);
    if (!parsed.ok()) return "bad target: " + parsed.ToString();
    const Route* route = router_.Find(req.method, req.segments, req.captures);
    if (route == nullptr) return "no route";
    Response res;
    route->handler(req, res);
    return std::to_string(res.status) + " " + res.body;
  }

  // Answers every call and compares the replies with testdata/<golden_file>, line by line so
  // a failure names the request; with SIGNPOST_UPDATE_GOLDEN set it rewrites the file instead.
  template <size_t N>
  void ExpectGolden(const Call (&calls)[N], const std::string& golden_file) {
    const char* root = std::getenv("SIGNPOST_SOURCE_DIR");
    const std::string path = std::string(root ? root : ".") + "/src/api/testdata/" + golden_file;
    std::string actual;
    for (const Call& call : calls) {
      actual += std::string(call.method) + " " + call.target + "\n" + Masked(Reply(call)) + "\n\n";
    }
    if (std::getenv("SIGNPOST_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path) << actual;
      GTEST_SKIP() << "wrote " << path;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << "missing " << path;
    std::stringstream expected;
    expected << in.rdbuf();
    std::istringstream want(expected.str()), got(actual);
    std::string want_line, got_line;
    size_t line = 0;
    while (std::getline(want, want_line)) {
      ++line;
      ASSERT_TRUE(std::getline(got, got_line)) << "reply ends early at line " << line;
      EXPECT_EQ(got_line, want_line) << "line " << line;
    }
    EXPECT_FALSE(std::getline(got, got_line)) << "more replies than pinned: " << got_line;
  }

  Router router_;
};

}  // namespace signpost::api
