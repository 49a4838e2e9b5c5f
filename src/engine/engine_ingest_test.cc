// Ingest through a real Engine on a temp folder and a ManualClock (issue 11): one bad item in a
// batch never costs the good ones and is dead-lettered; whole-request refusals are dead letters
// too; the engine's own event names and ids cannot be squatted from outside; event times beyond
// the future skew are refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/test_support.h"
#include "ingest/ndjson_parser.h"

namespace signpost {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class EngineIngestTest : public EngineFixture<> {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    key_ = WriteKey();
  }
  json DeadLetters() { return wire::ToJson(*engine_->ListDeadLetters(100)); }

  std::string key_;
};

const std::string kGoodA = R"({"type":"track","userId":"u","event":"A","messageId":"a"})";
const std::string kGoodB = R"({"type":"track","userId":"u","event":"B","messageId":"b"})";

TEST_F(EngineIngestTest, OneBadItemInABatchOfThreeIsDeadLetteredAndTheOtherTwoStored) {
  struct Case {
    std::string item;
    std::string field;
    bool prefix = false;  // the field starts with `field` (a deep path is cut)
  };
  const Case cases[] = {
      {R"({"type":"track","userId":"u","event":"E","properties":{"name":"cut \ud83d"}})",
       "properties.name"},
      {"{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"name\":\"\xff\"}}",
       "properties.name"},
      {R"({"type":"track","userId":"u","event":"E","properties":{"total":1e400}})",
       "properties.total"},
      {R"({"type":"track","userId":"u","event":"E","properties":{"n":1180591620717411303424}})",
       "properties.n"},
      {R"({"type":"track","userId":"u","event":"E","properties":{"d":)" + std::string(3000, '[') +
           std::string(3000, ']') + "}}",
       "properties.d[0][0]", true},
      {R"({"type":"track","userId":"u","event":"Goal Attained"})", "event"},
      {R"({"type":"track","userId":"u","event":"E","messageId":"sp:j/1/1/1/entered"})",
       "messageId"},
      {R"({"type":"track","userId":"u","event":"E","timestamp":"9999-01-01T00:00:00Z"})",
       "timestamp"},
  };
  uint64_t stored = 0, letters = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.item.substr(0, 100));
    // Good items differ per case (messageId) so each case stores two new events.
    const std::string n = std::to_string(stored);
    std::string a = kGoodA, b = kGoodB;
    a.replace(a.find("\"a\""), 3, "\"a" + n + "\"");
    b.replace(b.find("\"b\""), 3, "\"b" + n + "\"");
    auto r =
        engine_->IngestHttp("batch", R"({"batch":[)" + a + "," + c.item + "," + b + "]}", key_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->accepted, 2u);
    ASSERT_EQ(r->rejections.size(), 1u);
    EXPECT_EQ(r->rejections[0].location, "batch[1]");
    if (c.prefix) {
      EXPECT_EQ(r->rejections[0].field.rfind(c.field, 0), 0u) << r->rejections[0].field;
    } else {
      EXPECT_EQ(r->rejections[0].field, c.field);
    }
    stored += 2;
    ++letters;
    EXPECT_EQ(engine_->EventCount(), stored);
    json dl = DeadLetters();
    ASSERT_EQ(dl["total"], letters);
    const json& last = dl["dead_letters"].back();
    EXPECT_EQ(last["source"], "http:batch");
    EXPECT_EQ(last["location"], "batch[1]");
    EXPECT_EQ(last["field"], r->rejections[0].field);
    EXPECT_NO_THROW(dl.dump());  // bad bytes are shown replaced, never break the listing
  }
}

TEST_F(EngineIngestTest, ALeadingBomIsAccepted) {
  auto r = engine_->IngestHttp("batch",
                               "\xEF\xBB\xBF"
                               R"({"batch":[)" +
                                   kGoodA + "]}",
                               key_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1u);
}

TEST_F(EngineIngestTest, WholeRequestRefusalsAreDeadLettersWithTheirReason) {
  const std::string big = R"({"batch":[)" + std::string(600 * 1024, ' ') + "]}";
  const std::string bodies[] = {R"({"batch":[{"type":"track")", R"({"events":[]})", big};
  for (const std::string& body : bodies) {
    auto r = engine_->IngestHttp("batch", body, key_);
    EXPECT_FALSE(r.ok());
  }
  json dl = DeadLetters();
  ASSERT_EQ(dl["total"], 3u);
  EXPECT_EQ(dl["dead_letters"][0]["location"], "body");
  EXPECT_EQ(dl["dead_letters"][0]["raw"], R"({"batch":[{"type":"track")");
  EXPECT_NE(dl["dead_letters"][0]["reason"].get<std::string>().find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(dl["dead_letters"][1]["reason"].get<std::string>().find("needs `batch`"),
            std::string::npos);
  // Over the size limit: the first 64 KiB are kept and the reason gives the whole size.
  const std::string reason = dl["dead_letters"][2]["reason"];
  EXPECT_NE(reason.find("max_batch_bytes"), std::string::npos) << reason;
  EXPECT_NE(reason.find(std::to_string(big.size()) + " bytes"), std::string::npos) << reason;
  EXPECT_EQ(dl["dead_letters"][2]["raw"].get<std::string>().size(), 64u * 1024);
  // Without a valid key nothing is kept.
  EXPECT_FALSE(engine_->IngestHttp("batch", "nope", "bad-key").ok());
  EXPECT_EQ(DeadLetters()["total"], 3u);
}

TEST_F(EngineIngestTest, AWholeBodyDeadLetterIsReimportedAsABody) {
  // Parsed again as the whole body (not as one batch item): still refused, for the same reason.
  ASSERT_FALSE(engine_->IngestHttp("batch", R"({"batch":{}})", key_).ok());
  auto r = engine_->ReimportDeadLetters({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 0u);
  EXPECT_EQ(DeadLetters()["total"], 1u);
  EXPECT_NE(r->rejections.at(0).reason.find("must be an array"), std::string::npos);
}

TEST_F(EngineIngestTest, ReservedNamesAreRefusedOnImportAndReimport) {
  const fs::path file = dir_ / "in.ndjson";
  {
    std::ofstream out(file);
    out << R"({"type":"track","userId":"u","event":"Message Opened"})"
        << "\n"
        << R"({"type":"track","userId":"u","event":"E","messageId":"sp:x/opened"})"
        << "\n"
        << kGoodA << "\n";
  }
  auto s = engine_->Import(file.string(), ImportFormat::kAuto, nullptr);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->outcome.accepted, 1u);
  EXPECT_EQ(s->outcome.rejections.size(), 2u);
  auto again = engine_->ReimportDeadLetters({});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 0u);
  EXPECT_EQ(DeadLetters()["total"], 2u);
}

// Import parses each chunk's lines on several threads (issue 18): whatever the chunk size, lines
// that span chunks, blank lines, CRLF, a BOM, bad and over-limit lines give the same events and
// the same rejections, naming the same lines, in the same order as one parser over the file.
TEST_F(EngineIngestTest, ImportInChunksOnSeveralThreadsMatchesOneParserOverTheFile) {
  std::string text = "\xEF\xBB\xBF";
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    if (i % 37 == 5) text += "\n";
    if (i % 41 == 7) text += "not json " + n + "\n";
    if (i % 53 == 9) text += R"({"type":"track","userId":"u)" + n + R"("})" + "\n";  // no event
    if (i == 150) {
      text += R"({"type":"track","userId":"big","event":"E","properties":{"p":")" +
              std::string(40 * 1024, 'x') + "\"}}\n";
    }
    text += R"({"type":"track","userId":"u)" + n + R"(","event":"E)" + n + R"(","messageId":"m)" +
            n + "\"}" + (i % 3 == 0 ? "\r\n" : "\n");
  }
  text += R"({"type":"track","userId":"last","event":"L","messageId":"last"})";  // no line end
  const fs::path file = dir_ / "chunks.ndjson";
  {
    std::ofstream out(file, std::ios::binary);
    out << text;
  }
  ingest::ParsedEvents expected;
  ingest::NdjsonParser one(*ParseIso8601(StartAt()), ingest::Limits{});
  one.Feed(text, expected);
  one.Finish(expected);
  ASSERT_EQ(expected.events.size(), 301u);
  ASSERT_GT(expected.rejections.size(), 10u);

  for (size_t chunk : {size_t{300}, size_t{1} << 20}) {
    SCOPED_TRACE(chunk);
    Open([&](EngineOptions& o) {
      o.import_chunk_bytes = chunk;
      o.data_dir = NewFolder().string();
    });
    auto s = engine_->Import(file.string(), ImportFormat::kAuto, nullptr);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->outcome.accepted, expected.events.size());
    ASSERT_EQ(s->outcome.rejections.size(), expected.rejections.size());
    for (size_t i = 0; i < expected.rejections.size(); ++i) {
      EXPECT_EQ(s->outcome.rejections[i].location, expected.rejections[i].location);
      EXPECT_EQ(s->outcome.rejections[i].reason, expected.rejections[i].reason);
    }
    auto events = engine_->ProfileEvents("u299", 0);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    ASSERT_EQ(events->events.size(), 1u);
    EXPECT_EQ(events->events[0].event, "E299");
  }
}

// The issue's attack: system ids are predictable, so a write key squatted the id of a victim's
// `Journey Entered` in advance and the real event was dropped as a duplicate.
TEST_F(EngineIngestTest, ASquattedSystemIdNoLongerSuppressesTheRealSystemEvent) {
  const char* journey =
      "kind: journey\nid: welcome\nentry: { event: Signed Up }\n"
      "steps:\n  - { id: wait-1h, wait: { for: 1h } }\n";
  auto run = [&](Engine& engine, const std::string& key, const std::string& squat_id) {
    ASSERT_TRUE(engine.Apply(journey, "").ok());
    ASSERT_TRUE(engine.SetJourneyState("welcome", "live").ok());
    if (!squat_id.empty()) {
      auto r = engine.IngestHttp(
          "track", R"({"userId":"victim","event":"Nothing","messageId":")" + squat_id + "\"}", key);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->accepted, 0u);
      EXPECT_EQ(r->rejections.size(), 1u);
      if (!r->rejections.empty()) {
        EXPECT_EQ(r->rejections[0].field, "messageId");
      }
    }
    auto r = engine.IngestHttp("track",
                               R"({"userId":"victim","event":"Signed Up","messageId":"s1"})", key);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(engine.RunJourneysUntilIdle().ok());
  };
  auto entered_id = [](Engine& engine) {
    auto list = engine.ProfileEvents("victim", 10);
    if (!list.ok()) return std::string();
    for (const Event& e : list->events) {
      if (e.event == "Journey Entered") return e.message_id;
    }
    return std::string();
  };
  // A first engine shows which id the victim's entry gets...
  run(*engine_, key_, "");
  const std::string id = entered_id(*engine_);
  ASSERT_FALSE(id.empty());
  // ...a second one, on the same steps, gets that id squatted first: refused, and the entry is
  // recorded. System ids are keyed per data folder, so the squatter could not even have known the
  // second folder's id: it differs from the first's.
  std::unique_ptr<Engine> second = OpenAt(NewFolder());
  ASSERT_NE(second, nullptr);
  const std::string key = second->CreateKey("write", "attacker")->token;
  run(*second, key, id);
  const std::string second_id = entered_id(*second);
  EXPECT_FALSE(second_id.empty()) << "the victim's Journey Entered is recorded";
  EXPECT_NE(second_id, id);
}

TEST_F(EngineIngestTest, TheFutureSkewIsAnOption) {
  auto late = [&](Engine& engine, const std::string& key) {
    return engine.IngestHttp(
        "track", R"({"userId":"u","event":"E","timestamp":"2026-11-24T13:00:00Z"})", key);
  };
  auto r = late(*engine_, key_);  // one hour ahead: within the default day
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  std::unique_ptr<Engine> tight =
      OpenAt(NewFolder(), [](EngineOptions& o) { o.max_future_skew_ms = 10 * kMinuteMs; });
  ASSERT_NE(tight, nullptr);
  const std::string key = tight->CreateKey("write", "k")->token;
  auto t = late(*tight, key);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->accepted, 0u);
  ASSERT_EQ(t->rejections.size(), 1u);
  EXPECT_NE(t->rejections[0].reason.find("10 min"), std::string::npos) << t->rejections[0].reason;
}

}  // namespace
}  // namespace signpost
