// The JSON of the journey routes, pinned byte for byte (golden_test_support.h): the journeys list,
// one journey with its step analytics (every kind of step: split, waits for an event and for a
// time, branch, an auto-channel message, update, exit; a segment entry; a draft), the outbox, the
// replay of each journey (the replay of `welcome` is pinned in report_json.golden), and the
// lifecycle route with its errors; the change of state comes last, since it mutates. Expected
// replies: testdata/journey_json.golden. Delivering the outbox (sent and failed items) is last of
// all.
#include "api/golden_test_support.h"

namespace signpost::api {
namespace {

const Call kJourneyCalls[] = {
    {"GET", "/api/journeys"},
    {"GET", "/api/journeys/welcome"},
    {"GET", "/api/journeys/news"},
    {"GET", "/api/journeys/tour"},
    {"GET", "/api/journeys/later"},
    {"GET", "/api/journeys/nope"},
    {"GET", "/api/outbox"},
    {"GET", "/api/outbox?limit=3"},
    {"GET", "/api/outbox?limit=x"},
    {"POST", "/api/replay",
     R"({"journey": "news", "from": "2026-11-01T00:00:00Z", "to": "2026-11-10T00:00:00Z"})"},
    {"POST", "/api/replay",
     R"({"journey": "tour", "from": "2026-11-01T00:00:00Z", "to": "2026-11-10T00:00:00Z"})"},
    {"POST", "/api/replay",
     R"({"journey": "later", "from": "2026-11-02T00:00:00Z", "to": "2026-11-03T00:00:00Z"})"},
    // Lifecycle errors, then the changes.
    {"POST", "/api/journeys/news/state", R"({"state": "paused"})"},
    {"POST", "/api/journeys/news/state", R"({"state": 1})"},
    {"POST", "/api/journeys/news/state", R"({})"},
    {"POST", "/api/journeys/news/state", "not json"},
    {"POST", "/api/journeys/nope/state", R"({"state": "live"})"},
    {"POST", "/api/journeys/later/state", R"({"state": "stopped"})"},
    {"POST", "/api/journeys/news/state", R"({"state": "stopped"})"},
    {"POST", "/api/journeys/news/state", R"({"state": "live"})"},
    {"POST", "/api/journeys/later/state", R"({"state": "live"})"},
    {"GET", "/api/journeys"},
    {"GET", "/api/journeys/news"},
    // Sends every due message (the file channel writes; u5 has no consent: failed), then lists.
    {"POST", "/api/outbox/deliver"},
};

class JourneyJsonTest : public GoldenRoutesTest {
 protected:
  std::vector<std::string> MoreDefinitions() const override {
    return {"kind: channel\nid: sms\ntype: file\npath: sms.ndjson\n",
            "kind: template\nid: hi-sms\nchannel: sms\nbody: Hi\n",
            "kind: segment\nid: pros\nrule: { trait: { plan: pro } }\n",
            R"(kind: journey
id: tour
name: Tour
entry: { event: Signed Up, reentry: always }
start: 2026-10-01T00:00:00Z
end: 2026-12-01T00:00:00Z
settings: { holdout: 10% }
steps:
  - id: pick
    split: { variants: [ { id: A, weight: 50%, goto: wait-order }, { id: B, weight: 50%, goto: mark } ] }
  - id: wait-order
    wait: { until_event: Order Completed, timeout: 1d }
    on_event: by-plan
    on_timeout: nudge
  - id: by-plan
    branch:
      - { if: { traits.plan: pro }, goto: exit, label: pro }
      - { else: end }
  - { id: nudge, message: { channel: auto, default: email, templates: { email: welcome, sms: hi-sms } }, next: end }
  - { id: mark, update: { traits: { toured: true } } }
  - { id: pause, wait: { for: 1h } }
  - { id: bye, exit: {} }
)",
            R"(kind: journey
id: later
entry: { segment: pros, join_later: true }
steps:
  - { id: hello, message: { channel: email, template: welcome } }
)"};
  }
  std::vector<std::string> MoreLiveJourneys() const override { return {"tour"}; }
};

TEST_F(JourneyJsonTest, JourneyRoutesAnswerTheDocumentsTheyAnsweredBefore) {
  ExpectGolden(kJourneyCalls, "journey_json.golden");
}

}  // namespace
}  // namespace signpost::api
