// The JSON of a person's export (GET /api/profiles/{id}/export), pinned byte for byte
// (golden_test_support.h): a person with an anonymous id linked, traits and consent changes, a
// journey entered with a message queued, a goal, a static list, and a dead letter carrying their
// id; the export cut to the latest events; a person inside a journey's holdout; and the errors
// (unknown id, event_limit out of range). Expected replies: testdata/export_json.golden.
#include <regex>

#include "api/golden_test_support.h"

namespace signpost::api {
namespace {

const Call kExportCalls[] = {
    {"GET", "/api/profiles/u1/export"},
    {"GET", "/api/profiles/anon:a1/export?event_limit=2"},
    {"GET", "/api/profiles/u5/export"},
    {"GET", "/api/profiles/nope/export"},
    {"GET", "/api/profiles/u1/export?event_limit=0"},
    {"GET", "/api/profiles/u1/export?event_limit=1000001"},
};

class ExportJsonTest : public GoldenRoutesTest {
 protected:
  void SetUp() override {
    GoldenRoutesTest::SetUp();
    clock_.Set(*ParseIso8601("2026-11-08T12:00:00Z"));
    const nlohmann::json batch = {
        {{"type", "identify"},
         {"anonymousId", "a1"},
         {"userId", "u1"},
         {"traits", {{"plan", "pro"}, {"consent", {{"sms", false}}}}},
         {"context", {{"ip", "10.0.0.1"}, {"locale", "de-DE"}}},
         {"timestamp", "2026-11-08T11:00:00Z"},
         {"messageId", "x1"}},
        {{"type", "page"},
         {"anonymousId", "a1"},
         {"name", "Pricing"},
         {"properties", {{"path", "/pricing"}}},
         {"timestamp", "2026-11-08T11:30:00Z"},
         {"messageId", "x2"}},
        // Rejected (no event name, no timestamp): a dead letter carrying u1's id.
        {{"type", "track"}, {"userId", "u1"}, {"messageId", "bad1"}},
        {{"type", "track"}, {"userId", "u10"}, {"messageId", "bad2"}},
    };
    auto r = engine_->IngestHttp("batch", nlohmann::json{{"batch", batch}}.dump(), WriteKey());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rejections.size(), 2u);
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    clock_.Set(*ParseIso8601("2026-11-09T00:00:00Z"));
    AddExportRoutes(router_, *engine_);
  }

  // The hashed messageIds of the events the engine records itself are random per folder.
  std::string Masked(std::string reply) const override {
    static const std::regex kSystemId(R"re("messageId":"sp:[0-9a-f]{32}")re");
    return std::regex_replace(reply, kSystemId, "\"messageId\":\"sp:<masked>\"");
  }
};

TEST_F(ExportJsonTest, ExportRouteAnswersTheDocumentItAnsweredBefore) {
  ExpectGolden(kExportCalls, "export_json.golden");
}

// The export holds what each service holds about the person, and only theirs.
TEST_F(ExportJsonTest, ExportHoldsEveryPartOfThePersonAndNoOneElse) {
  auto r = engine_->ExportPerson("a1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const nlohmann::json doc = wire::ToJson(*r);
  EXPECT_EQ(doc["profile"]["identities"], nlohmann::json({"anon:a1", "user:u1"}));
  EXPECT_FALSE(doc["profile"].contains("last_events"));
  EXPECT_EQ(doc["events"].size(), doc["event_count"].get<size_t>());
  EXPECT_FALSE(doc["events_truncated"].get<bool>());
  for (const auto& e : doc["events"]) {
    const std::string who = e.value("userId", e.value("anonymousId", ""));
    EXPECT_TRUE(who == "u1" || who == "a1") << e.dump();
  }
  ASSERT_EQ(doc["journeys"].size(), 2u);  // u1 signed up (welcome) and viewed pricing (news)
  EXPECT_EQ(doc["journeys"][0]["journey"], "news");
  EXPECT_EQ(doc["journeys"][1]["journey"], "welcome");
  EXPECT_EQ(doc["journeys"][1]["exits"][0]["reason"], "completed");
  ASSERT_EQ(doc["static_lists"].size(), 1u);
  EXPECT_EQ(doc["static_lists"][0]["name"], "vip");
  EXPECT_TRUE(doc["static_lists"][0]["latest"].get<bool>());
  ASSERT_EQ(doc["dead_letters"].size(), 1u);  // bad1 (u1), not bad2 (u10)
  EXPECT_NE(doc["dead_letters"][0]["raw"].get<std::string>().find("bad1"), std::string::npos);
  for (const auto& m : doc["messages"]) EXPECT_EQ(m["identity"], "user:u1");
}

}  // namespace
}  // namespace signpost::api
