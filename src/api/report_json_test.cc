// The JSON of the report routes, pinned byte for byte: funnel reports (stored and ad hoc, with
// breakdown, trend and completion windows), funnel people and saving them as a segment, the last
// completed step, the goal report and its people, the journeys list's goal tile, holdout lift,
// money and replay, and the errors of bad query fields. The documents are the ones
// docs/openapi.yaml describes and the dashboard reads; the expected replies are in
// testdata/report_json.golden. `SIGNPOST_UPDATE_GOLDEN=1 build/src/api/api_test
// --gtest_filter='ReportJson*'` rewrites the file (only after a change of the documents that is
// meant).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/routes.h"
#include "engine/test_support.h"

namespace signpost::api {
namespace {

using nlohmann::json;

constexpr const char* kDefinitions[] = {
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

const Call kCalls[] = {
    {"GET", "/api/funnels/checkout/report"},
    {"GET",
     "/api/funnels/checkout/report?breakdown=properties.plan&completion_windows=1d,7d&trend=day"},
    {"GET",
     "/api/funnels/checkout/report?from=2026-11-02&to=2026-11-05&trend=week&top=1"
     "&breakdown=properties.plan&breakdown_attribution=last&entry=first_entry"},
    {"GET", "/api/funnels/checkout/report?version=1&window=1d&order=any"},
    {"POST", "/api/funnels/query",
     R"({"steps": "Signed Up>Order Completed", "window": "2d", "top": 1,
         "breakdown": "properties.plan", "breakdown_attribution": "step:2",
         "completion_windows": ["1d", "2d"], "from": 1762041600000})"},
    {"POST", "/api/funnels/query",
     R"({"definition": {"id": "adhoc", "steps": [{"event": "Signed Up"},
         {"event": "Order Completed", "optional": false}]}, "order": "strict"})"},
    {"GET", "/api/funnels/checkout/people?dropped_at=1"},
    {"GET", "/api/funnels/checkout/people?completed=3"},
    {"GET", "/api/funnels/checkout/people?completed=2&segment=vip"},
    {"POST", "/api/funnels/checkout/people/segment?name=buyers&completed=3"},
    {"POST", "/api/funnels/checkout/people/segment?segment=droppers&dropped_at=2"},
    {"GET", "/api/profiles/u1/funnels/checkout/last-step"},
    {"GET", "/api/profiles/u2/funnels/checkout/last-step"},
    {"GET", "/api/journeys/welcome/goal"},
    {"GET", "/api/journeys/welcome/goal?trend=week&segment=vip,buyers"},
    {"GET", "/api/journeys/welcome/goal?from=2026-11-02&to=2026-11-04"},
    {"GET", "/api/journeys/welcome/goal/people"},
    {"GET", "/api/journeys/news/goal"},
    {"GET", "/api/journeys"},
    {"GET", "/api/journeys/welcome/lift"},
    {"GET", "/api/journeys/welcome/lift?funnel=checkout"},
    {"GET", "/api/journeys/welcome/money?cost.email=0.01&funnel=checkout"},
    {"GET", "/api/journeys/welcome/money?cost.email=0.5&revenue=properties.amount"},
    {"POST", "/api/replay",
     R"({"journey": "welcome", "from": "2026-11-01T00:00:00Z", "to": "2026-11-10T00:00:00Z"})"},
    // Errors: each names the field and the accepted form.
    {"GET", "/api/funnels/checkout/report?window=soon"},
    {"GET", "/api/funnels/checkout/report?order=zigzag"},
    {"GET", "/api/funnels/checkout/report?entry=sometimes"},
    {"GET", "/api/funnels/checkout/report?from=yesterday"},
    {"GET", "/api/funnels/checkout/report?breakdown=plan"},
    {"GET", "/api/funnels/checkout/report?breakdown_attribution=middle"},
    {"GET", "/api/funnels/checkout/report?top=0"},
    {"GET", "/api/funnels/checkout/report?top=x"},
    {"GET", "/api/funnels/checkout/report?completion_windows=1d,x"},
    {"GET", "/api/funnels/checkout/report?trend=month"},
    {"GET", "/api/funnels/checkout/report?version=x"},
    {"GET", "/api/funnels/checkout/report?version=9"},
    {"GET", "/api/funnels/checkout/report?segment=nope"},
    {"GET", "/api/funnels/nope/report"},
    {"POST", "/api/funnels/query", R"({"window": "1d"})"},
    {"POST", "/api/funnels/query", R"({"steps": "A>B", "from": true})"},
    {"POST", "/api/funnels/query", R"({"steps": "A>B", "completion_windows": [1]})"},
    {"GET", "/api/funnels/checkout/people"},
    {"GET", "/api/funnels/checkout/people?completed=x"},
    {"GET", "/api/funnels/checkout/people?dropped_at=9"},
    {"POST", "/api/funnels/checkout/people/segment?completed=3"},
    {"GET", "/api/journeys/welcome/goal?trend=month"},
    {"GET", "/api/journeys/welcome/goal?from=yesterday"},
    {"GET", "/api/journeys/welcome/goal?to=later"},
    {"GET", "/api/journeys/welcome/goal?segment=nope"},
    {"GET", "/api/journeys/nope/goal"},
    {"GET", "/api/journeys/welcome/lift?funnel=nope"},
    {"GET", "/api/journeys/welcome/money"},
    {"GET", "/api/journeys/welcome/money?cost.email=-1"},
    {"POST", "/api/replay", R"({"from": "2026-11-01", "to": "2026-11-02"})"},
    {"POST", "/api/replay", R"({"journey": "welcome", "from": "2026-11-01"})"},
    {"POST", "/api/replay", R"({"journey": "welcome", "from": "2026-11-03", "to": "2026-11-02"})"},
    {"POST", "/api/replay", R"({"journey": "nope", "from": "2026-11-01", "to": "2026-11-02"})"},
};

class ReportJsonTest : public EngineFixture<> {
 protected:
  std::string StartAt() const override { return "2026-11-01T00:00:00Z"; }

  void SetUp() override {
    EngineFixture::SetUp();
    for (const char* d : kDefinitions) {
      auto r = engine_->Apply(d, "test");
      ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << d;
    }
    // A second version of the funnel, so `version=1` differs from the latest.
    ASSERT_TRUE(engine_->Apply(std::string(kDefinitions[2]) + "note: v2\n", "").ok());
    ASSERT_TRUE(engine_->SetJourneyState("welcome", "live").ok());
    ASSERT_TRUE(engine_->SetJourneyState("news", "live").ok());
    ASSERT_TRUE(engine_->ImportSegment("vip", {"u1", "u3", "u5", "u7", "u9"}, "vip").ok());
    const std::string key = WriteKey();
    // Twelve people over four days: everyone signs up, most view pricing, some order.
    json batch = json::array();
    auto add = [&batch](int user, const char* event, const char* at, json properties) {
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
      const json plan = {{"plan", plans[u % 3]}};
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
        json props = {{"plan", plans[(u + 1) % 3]}, {"revenue", 10 + u}, {"amount", u}};
        add(u, "Order Completed", (day + "T20:00:00Z").c_str(), props);
      }
    }
    clock_.Set(*ParseIso8601("2026-11-06T00:00:00Z"));
    auto r = engine_->IngestHttp("batch", json{{"batch", batch}}.dump(), key);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rejections.size(), 0u);
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    clock_.Set(*ParseIso8601("2026-11-08T00:00:00Z"));
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    AddCoreRoutes(router_, *engine_);
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

  Router router_;
};

std::string GoldenPath() {
  const char* root = std::getenv("SIGNPOST_SOURCE_DIR");
  return std::string(root ? root : ".") + "/src/api/testdata/report_json.golden";
}

TEST_F(ReportJsonTest, ReportRoutesAnswerTheDocumentsTheyAnsweredBefore) {
  std::string actual;
  for (const Call& call : kCalls) {
    actual += std::string(call.method) + " " + call.target + "\n" + Reply(call) + "\n\n";
  }
  if (std::getenv("SIGNPOST_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(GoldenPath()) << actual;
    GTEST_SKIP() << "wrote " << GoldenPath();
  }
  std::ifstream in(GoldenPath());
  ASSERT_TRUE(in.good()) << "missing " << GoldenPath();
  std::stringstream expected;
  expected << in.rdbuf();
  // Compared call by call, so a failure names the request.
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

}  // namespace
}  // namespace signpost::api
