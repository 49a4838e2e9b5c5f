// The JSON of the report routes, pinned byte for byte (golden_test_support.h): funnel reports
// (stored and ad hoc, with breakdown, trend and completion windows), funnel people and saving them
// as a segment, the last completed step, the goal report and its people, the journeys list's goal
// tile, holdout lift, money and replay, and the errors of bad query fields. Expected replies:
// testdata/report_json.golden.
#include "api/golden_test_support.h"

namespace signpost::api {
namespace {

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

using ReportJsonTest = GoldenRoutesTest;

TEST_F(ReportJsonTest, ReportRoutesAnswerTheDocumentsTheyAnsweredBefore) {
  ExpectGolden(kCalls, "report_json.golden");
}

}  // namespace
}  // namespace signpost::api
