// The JSON of the funnel paths routes, pinned byte for byte (golden_test_support.h): the sequences
// after each step of the checkout funnel (the journeys' Message Sent/Delivered events among them),
// truncated and collapsed; a funnel with an optional step and an any_of step; an ad-hoc funnel; and
// the errors of bad parameters. Expected replies: testdata/paths_json.golden.
#include "api/golden_test_support.h"

namespace signpost::api {
namespace {

const Call kPathCalls[] = {
    {"GET", "/api/funnels/checkout/paths?step=1"},
    {"GET", "/api/funnels/checkout/paths?step=2&max_length=2&top=2&collapse_repeats=true"},
    {"GET", "/api/funnels/plans/paths?step=1&top=3"},
    {"POST", "/api/funnels/paths", R"({"steps": "Signed Up>Order Completed", "max_length": 1})"},
    // Errors: each names the field and the accepted form.
    {"GET", "/api/funnels/checkout/paths?step=3"},
    {"GET", "/api/funnels/checkout/paths?max_length=0"},
    {"GET", "/api/funnels/checkout/paths?top=101"},
    {"GET", "/api/funnels/checkout/paths?collapse_repeats=sometimes"},
    {"GET", "/api/funnels/nope/paths"},
};

class PathsJsonTest : public GoldenRoutesTest {
 protected:
  std::vector<std::string> MoreDefinitions() const override {
    return {R"(kind: funnel
id: plans
steps:
  - event: Signed Up
  - { event: Viewed Pricing, optional: true }
  - name: Ordered
    any_of:
      - { event: Order Completed, where: { properties.plan: pro } }
      - { event: Order Completed }
  - event: Message Opened
)"};
  }
  void SetUp() override {
    GoldenRoutesTest::SetUp();
    AddPathRoutes(router_, *engine_);
  }
};

TEST_F(PathsJsonTest, PathRoutesAnswerTheDocumentsTheyAnsweredBefore) {
  ExpectGolden(kPathCalls, "paths_json.golden");
}

}  // namespace
}  // namespace signpost::api
