// The journeys thread against hostile input (issue 11): a regex entry over a huge value, an event
// whose handling fails (set aside as a dead letter, counted in /metrics, never handled again), and
// system message ids keyed per data folder.
#include "engine/engine_journeys.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "base/system_events.h"
#include "engine/engine_impl.h"
#include "engine/test_support.h"
#include "store/journey_records.h"

namespace signpost {
namespace {

using nlohmann::json;

class JourneysEngineTest : public EngineFixture<> {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    key_ = WriteKey();
  }
  // Closes and opens dir_ again (a restart) with a new write key.
  void Open() {
    EngineFixture::Open();
    key_ = WriteKey();
  }
  void Track(const std::string& user, const std::string& event, const json& properties) {
    const Event e = TrackEvent(user, event, clock_.NowMs(), properties,
                               user + "-" + event + "-" + std::to_string(++tracks_));
    auto r = engine_->IngestHttp("track", SegmentBody(e).dump(), key_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->accepted, 1u) << (r->rejections.empty() ? "" : r->rejections[0].reason);
  }
  uint64_t Entered(const std::string& journey) {
    EXPECT_TRUE(engine_->RunJourneysUntilIdle().ok());
    auto r = engine_->Journey(journey);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->totals.entered : 0;
  }
  // The message ids of `user`'s events named `name`.
  std::vector<std::string> MessageIds(const std::string& user, std::string_view name) {
    auto r = engine_->ProfileEvents("user:" + user, 100);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const Event& e : r->events)
      if (e.event == name) out.push_back(e.message_id);
    return out;
  }
  std::vector<json> JourneyDeadLetters() {
    auto r = engine_->ListDeadLetters(100);
    EXPECT_TRUE(r.ok());
    std::vector<json> out;
    for (const DeadLetterInfo& d : r->dead_letters)
      if (d.source == engine::kJourneysDeadLetterSource) out.push_back(wire::ToJson(d));
    return out;
  }
  std::string Metric(const std::string& name) {
    const std::string text = engine_->MetricsText();
    const std::string line = "\n" + name + " ";
    size_t at = text.find(line);
    if (at == std::string::npos) return "(missing)";
    at += line.size();
    return text.substr(at, text.find('\n', at) - at);
  }

  std::string key_;
  int tracks_ = 0;
};

const char* kGmail = R"(
kind: journey
id: gmail
entry: { event: Signed Up, where: { properties.email: { regex: "^.*@gmail\\.com$" } } }
steps:
  - { id: wait, wait: { for: 1d } }
)";

// Issue 11, defect 1: this event crashed the server with a stack overflow in std::regex, and again
// on every restart. RE2 matches it like any other.
TEST_F(JourneysEngineTest, RegexEntryOverA32000CharacterEmailIsMatchedWithoutCrashing) {
  Apply(kGmail);
  Live("gmail");
  const std::string huge(32'000 - 10, 'a');
  Track("long-gmail", "Signed Up", {{"email", huge + "@gmail.com"}});
  Track("long-other", "Signed Up", {{"email", huge + "@yahoo.com"}});
  Track("short", "Signed Up", {{"email", "ada@gmail.com"}});
  EXPECT_EQ(Entered("gmail"), 2u);
  EXPECT_TRUE(JourneyDeadLetters().empty());
  EXPECT_EQ(Metric("signpost_journey_poison_events_total"), "0");
  Open();  // the restart handles nothing twice
  EXPECT_EQ(Entered("gmail"), 2u);
}

const char* kHello = R"(
kind: journey
id: hello
entry: { event: Signed Up }
steps:
  - { id: wait, wait: { for: 1d } }
)";

// Issue 11: an event whose handling fails is set aside — a dead letter of the journeys with the
// reason, counted in /metrics — and the runtime goes on: later events enter, and a restart does
// not handle it again (the cursor moved past it).
TEST_F(JourneysEngineTest, APoisonEventIsDeadLetteredCountedAndNeverHandledAgain) {
  Apply(kHello);
  Live("hello");
  ImplOf(*engine_).journeys->SetFaultForTesting([](const journeys::InputEvent& e) {
    if (e.properties.find("poison") != std::string::npos) throw std::runtime_error("rule exploded");
  });
  Track("before", "Signed Up", json::object());
  Track("victim", "Signed Up", {{"poison", true}});
  Track("after", "Signed Up", json::object());
  EXPECT_EQ(Entered("hello"), 2u);
  std::vector<json> letters = JourneyDeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_NE(letters[0]["location"].get<std::string>().find("event seq "), std::string::npos);
  EXPECT_NE(letters[0]["reason"].get<std::string>().find("set it aside"), std::string::npos);
  EXPECT_NE(letters[0]["reason"].get<std::string>().find("rule exploded"), std::string::npos);
  EXPECT_NE(letters[0]["raw"].get<std::string>().find("\"poison\":true"), std::string::npos);
  EXPECT_EQ(Metric("signpost_journey_poison_events_total"), "1");
  EXPECT_TRUE(MessageIds("victim", system_events::kJourneyEntered).empty());

  Track("later", "Signed Up", json::object());
  EXPECT_EQ(Entered("hello"), 3u);

  // Reopened without the fault: had the cursor stayed before the poison event, it would enter now.
  Open();
  EXPECT_EQ(Entered("hello"), 3u);
  EXPECT_TRUE(MessageIds("victim", system_events::kJourneyEntered).empty());
  EXPECT_EQ(JourneyDeadLetters().size(), 1u);
  EXPECT_EQ(Metric("signpost_journey_poison_events_total"), "0");
}

// Issue 11, defect 4: system message ids come from a per-data-folder key — two folders give the
// same journey, profile and step different ids (so they cannot be squatted in advance), one folder
// the same id again after a restart (so re-processing stores them once).
TEST_F(JourneysEngineTest, SystemMessageIdsAreKeyedPerDataFolderAndStableAcrossRestarts) {
  auto entered_id = [&]() {
    Apply(kHello);
    Live("hello");
    Track("ada", "Signed Up", json::object());
    EXPECT_EQ(Entered("hello"), 1u);
    std::vector<std::string> ids = MessageIds("ada", system_events::kJourneyEntered);
    EXPECT_EQ(ids.size(), 1u);
    return ids.empty() ? std::string() : ids[0];
  };
  const std::string first = entered_id();
  EXPECT_EQ(first.rfind(system_events::kSystemMessageIdPrefix, 0), 0u) << first;
  EXPECT_EQ(first.find("hello"), std::string::npos) << first;  // nothing readable to guess from

  auto profile = engine_->ProfileEvents("user:ada", 1);
  ASSERT_TRUE(profile.ok());
  const std::string name = "hello/1/" + std::to_string(profile->profile.value()) + "/1/entered";
  auto key = store::JourneyRecords(&ImplOf(*engine_).store().db()).GetOrCreateSystemIdKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(first, journeys::SystemMessageId(*key, name));

  Open();  // the same folder: the same key, the same id
  auto again = store::JourneyRecords(&ImplOf(*engine_).store().db()).GetOrCreateSystemIdKey();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *key);
  EXPECT_EQ(journeys::SystemMessageId(*again, name), first);

  dir_ = NewFolder();  // another folder: another key
  Open();
  const std::string second = entered_id();
  EXPECT_NE(second, first);
  EXPECT_EQ(second.rfind(system_events::kSystemMessageIdPrefix, 0), 0u);
}

}  // namespace
}  // namespace signpost
