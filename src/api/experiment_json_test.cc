// The JSON of the experiment routes, pinned byte for byte (golden_test_support.h): the experiments
// list (split steps and `channel: auto` steps), one split step's report (metric goal with a holdout
// and an end date; metric opens and metric goal in a journey without a goal), one channel report
// (with a goal and a segment to optimize by; without a goal), holdout lift and money of the
// journeys with splits and automatic channels (costs from the channel definition and the query),
// and the errors of unknown journeys and steps and of bad fields. Expected replies:
// testdata/experiment_json.golden.
#include "api/golden_test_support.h"

namespace signpost::api {
namespace {

const Call kExperimentCalls[] = {
    {"GET", "/api/experiments"},
    {"GET", "/api/journeys/trial/experiments/ab"},
    {"GET", "/api/journeys/tips/experiments/subject"},
    {"GET", "/api/journeys/nudge/channels/pick"},
    {"GET", "/api/journeys/tips/channels/reach"},
    {"GET", "/api/journeys/trial/lift"},
    {"GET", "/api/journeys/trial/lift?funnel=checkout"},
    {"GET", "/api/journeys/tips/lift?funnel=checkout"},
    {"GET", "/api/journeys/nudge/lift"},
    {"GET", "/api/journeys/tips/experiments/followup"},
    {"GET", "/api/journeys/trial/money"},
    {"GET", "/api/journeys/trial/money?funnel=checkout&revenue=amount&cost.email=0.5"},
    {"GET", "/api/journeys/nudge/money?cost.sms=0.125"},
    {"GET", "/api/journeys/tips/money?funnel=checkout&revenue=context.missing"},
    // Errors: unknown journeys and steps, steps of the other kind.
    {"GET", "/api/journeys/nope/experiments/ab"},
    {"GET", "/api/journeys/trial/experiments/nope"},
    {"GET", "/api/journeys/trial/experiments/mail-a"},
    {"GET", "/api/journeys/nudge/experiments/pick"},
    {"GET", "/api/journeys/nope/channels/pick"},
    {"GET", "/api/journeys/nudge/channels/nope"},
    {"GET", "/api/journeys/trial/channels/ab"},
    {"GET", "/api/journeys/trial/channels/mail-a"},
    {"GET", "/api/journeys/nope/lift"},
    {"GET", "/api/journeys/nope/money"},
    {"GET", "/api/journeys/nudge/money?cost.sms=x"},
    {"GET", "/api/journeys/trial/money?revenue=properties."},
};

class ExperimentJsonTest : public GoldenRoutesTest {
 protected:
  std::vector<std::string> MoreDefinitions() const override {
    return {
        "kind: channel\nid: email\ntype: file\npath: email.ndjson\ncost_per_message: 0.02\n",
        "kind: channel\nid: sms\ntype: file\npath: sms.ndjson\ncost_per_message: 0.05\n",
        "kind: template\nid: hi-sms\nchannel: sms\nbody: Hi\n",
        "kind: segment\nid: planners\nrule: { event: Viewed Pricing }\n",
        R"(kind: journey
id: trial
name: Trial
entry: { event: Signed Up }
settings: { holdout: 25% }
goal: { type: drive_purchase, met_when: { event: Order Completed } }
steps:
  - id: ab
    split: { metric: goal, end: 2026-11-20T00:00:00Z, variants: [ { id: A, weight: 50%, goto: mail-a }, { id: B, weight: 50%, goto: mail-b } ] }
  - id: mail-a
    message: { channel: email, template: welcome }
    next: end
  - id: mail-b
    message: { channel: email, template: welcome }
)",
        R"(kind: journey
id: nudge
name: Nudge
entry: { event: Viewed Pricing }
goal: { type: drive_purchase, met_when: { event: Order Completed } }
steps:
  - id: pick
    message: { channel: auto, default: email, templates: { email: welcome, sms: hi-sms }, optimize_by_segment: [planners] }
)",
        R"(kind: journey
id: tips
name: Tips
entry: { event: Signed Up }
steps:
  - id: subject
    split: { metric: opens, variants: [ { id: short, weight: 40%, goto: reach }, { id: long, weight: 60%, goto: mail-long } ] }
  - id: reach
    message: { channel: auto, default: email, templates: { email: welcome, sms: hi-sms } }
    next: end
  - id: mail-long
    message: { channel: email, template: welcome }
  - id: followup
    split: { metric: goal, variants: [ { id: x, weight: 50% }, { id: y, weight: 50% } ] }
)",
    };
  }
  std::vector<std::string> MoreLiveJourneys() const override { return {"trial", "nudge", "tips"}; }
};

TEST_F(ExperimentJsonTest, ExperimentRoutesAnswerTheDocumentsTheyAnsweredBefore) {
  ExpectGolden(kExperimentCalls, "experiment_json.golden");
}

}  // namespace
}  // namespace signpost::api
