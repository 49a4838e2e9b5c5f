// The admin routes the command line's remote mode adds: a file uploaded in pieces and imported as
// a local import would (the same summary, dead letters named after the client's file), a retried
// or misplaced piece refused with the offset to use, the event count, dead-letter reimport, and an
// ad-hoc funnel's people. Through the real HTTP server.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "api/import_json.h"
#include "api/server.h"
#include "engine/test_support.h"

namespace signpost::api {
namespace {

using nlohmann::json;

class ImportRoutesTest : public EngineFixture<> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(EngineFixture::SetUp());
    auto admin = engine_->CreateKey("admin", "test");
    ASSERT_TRUE(admin.ok());
    token_ = admin->token;
    ServerOptions so;
    so.port = 0;
    so.threads = 2;
    so.upload_dir = (dir_ / "uploads").string();
    server_ = std::make_unique<Server>(*engine_, so);
    ASSERT_TRUE(server_->Bind().ok());
    serving_ = std::thread([this] { server_->Run().IgnoreError(); });  // the test sees its replies
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_bearer_token_auth(token_);
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    if (serving_.joinable()) serving_.join();
    server_.reset();
    EngineFixture::TearDown();
  }
  // POSTs `body` to `path`; the reply's status and JSON.
  std::pair<int, json> Post(const std::string& path, const std::string& body,
                            const char* type = "application/octet-stream") {
    auto res = client_->Post(path, body, type);
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  std::string token_;
  std::unique_ptr<Server> server_;
  std::thread serving_;
  std::unique_ptr<httplib::Client> client_;
};

constexpr char kLines[] =
    R"({"type":"track","userId":"ann","event":"Signed Up","messageId":"1","timestamp":"2026-11-01T10:00:00Z"}
{"type":"track","userId":"ann","event":"Email Verified","messageId":"2","timestamp":"2026-11-01T10:05:00Z"}
{"type":"track","userId":"bob","event":"Signed Up","messageId":"3","timestamp":"2026-11-01T11:00:00Z"}
{"type":"track","userId":"bob","event":"no closing quote
)";

TEST_F(ImportRoutesTest, AFileInPiecesImportsAsALocalImportWould) {
  const std::string text = kLines;
  const std::string id = "00112233445566778899aabbccddeeff";
  const size_t cut = 150;  // inside the second line: pieces need not end at a line
  auto [s1, r1] = Post("/api/uploads/" + id + "?offset=0", text.substr(0, cut));
  ASSERT_EQ(s1, 200) << r1.dump();
  EXPECT_EQ(r1["bytes"], cut);
  // A retried first piece is refused with the offset to send next, and changes nothing.
  auto [again, again_body] = Post("/api/uploads/" + id + "?offset=0", text.substr(0, cut));
  EXPECT_EQ(again, 409);
  EXPECT_EQ(again_body["error"]["message"],
            "upload " + id + ": holds 150 bytes, so the next piece starts at offset=150, not 0");
  auto [s2, r2] = Post("/api/uploads/" + id + "?offset=" + std::to_string(cut), text.substr(cut));
  ASSERT_EQ(s2, 200) << r2.dump();
  auto [status, summary] = Post("/api/uploads/" + id + "/import?name=events.ndjson", "");
  ASSERT_EQ(status, 200) << summary.dump();
  EXPECT_EQ(summary["file"], "events.ndjson");
  EXPECT_EQ(summary["accepted"], 3);
  EXPECT_EQ(summary["rejected"], 1);
  EXPECT_EQ(summary["rejections"][0]["location"], "line 4");
  EXPECT_EQ(engine_->EventCount(), 3u);
  auto letters = engine_->ListDeadLetters(10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->dead_letters.size(), 1u);
  EXPECT_EQ(letters->dead_letters[0].source, "ndjson:events.ndjson")
      << "named after the client's file, not the server's spool";
  // The same document the command line prints locally for the same file.
  std::string local = (dir_ / "events.ndjson").string();
  std::ofstream(local) << text;
  auto again_local = engine_->Import(local, ImportFormat::kAuto, nullptr);
  ASSERT_TRUE(again_local.ok());
  json doc = ImportSummaryJson("events.ndjson", *again_local);
  EXPECT_EQ(doc["duplicates"], 3);
  for (const char* key : {"file", "rejected", "rejections", "refused_merges"})
    EXPECT_EQ(doc[key], summary[key]) << key;
  // The upload is gone once imported.
  auto [gone, gone_body] = Post("/api/uploads/" + id + "/import?name=events.ndjson", "");
  EXPECT_EQ(gone, 404);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "uploads"));
  // The audit log names the client's file.
  auto audit = engine_->Audit(AuditQuery{.after = 0, .limit = 10, .action = "import"});
  ASSERT_TRUE(audit.ok());
  size_t named = 0;
  for (const AuditEntry& e : audit->entries) named += e.target == "file events.ndjson";
  EXPECT_EQ(named, 1u);
}

TEST_F(ImportRoutesTest, CsvByTheNamesExtensionOrTheFormat) {
  const std::string id = "aaaaaaaaaaaaaaaa";
  ASSERT_EQ(
      Post("/api/uploads/" + id + "?offset=0",
           "type,userId,event,messageId,timestamp\ntrack,ann,Signed Up,c1,2026-11-01T10:00:00Z\n")
          .first,
      200);
  auto [status, summary] = Post("/api/uploads/" + id + "/import?name=list.csv", "");
  ASSERT_EQ(status, 200) << summary.dump();
  EXPECT_EQ(summary["accepted"], 1);
  ASSERT_EQ(Post("/api/uploads/" + id + "?offset=0", "a,b\n").first, 200);
  auto [bad, bad_body] = Post("/api/uploads/" + id + "/import?name=x&format=xml", "");
  EXPECT_EQ(bad, 400);
  EXPECT_EQ(bad_body["error"]["message"],
            "format: use auto (by the name's extension), ndjson or csv");
}

TEST_F(ImportRoutesTest, UploadIdsAndOffsetsAreChecked) {
  EXPECT_EQ(Post("/api/uploads/short?offset=0", "x").first, 400);
  EXPECT_EQ(Post("/api/uploads/../../etc/passwd?offset=0", "x").first, 400);
  EXPECT_EQ(Post("/api/uploads/ABCDEFABCDEFABCDEF?offset=0", "x").first, 400)
      << "lowercase hex only";
  auto [status, body] = Post("/api/uploads/0123456789abcdef?offset=5", "x");
  EXPECT_EQ(status, 409);
  EXPECT_EQ(Post("/api/uploads/0123456789abcdef?offset=x", "x").first, 400);
  EXPECT_EQ(Post("/api/uploads/0123456789abcdef/import", "").first, 400) << "a name is needed";
  // Without the admin token, nothing.
  httplib::Client anonymous("127.0.0.1", server_->port());
  auto res = anonymous.Post("/api/uploads/0123456789abcdef?offset=0", "x", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(ImportRoutesTest, EventCountAndDeadLetterReimport) {
  std::string text = kLines;
  ASSERT_EQ(Post("/api/uploads/bbbbbbbbbbbbbbbb?offset=0", text).first, 200);
  ASSERT_EQ(Post("/api/uploads/bbbbbbbbbbbbbbbb/import?name=e.ndjson", "").first, 200);
  auto count = client_->Get("/api/events/count");
  ASSERT_TRUE(count);
  EXPECT_EQ(json::parse(count->body), json({{"count", 3}}));
  auto [status, outcome] = Post("/api/deadletters/reimport", "{}", "application/json");
  ASSERT_EQ(status, 200) << outcome.dump();
  EXPECT_EQ(outcome, json({{"accepted", 0}, {"duplicates", 0}, {"still_rejected", 1}}));
  auto [bad, bad_body] = Post("/api/deadletters/reimport", R"({"ids":["x"]})", "application/json");
  EXPECT_EQ(bad, 400);
  EXPECT_EQ(bad_body["error"]["message"],
            "body: send {\"ids\": [12, 13]} (dead-letter ids), or {} for all of them");
}

TEST_F(ImportRoutesTest, AnAdHocFunnelsPeopleAndTheirSegment) {
  ASSERT_EQ(Post("/api/uploads/cccccccccccccccc?offset=0", kLines).first, 200);
  ASSERT_EQ(Post("/api/uploads/cccccccccccccccc/import?name=e.ndjson", "").first, 200);
  const json q = {{"steps", "Signed Up>Email Verified"}, {"dropped_at", 1}};
  auto [status, people] = Post("/api/funnels/people", q.dump(), "application/json");
  ASSERT_EQ(status, 200) << people.dump();
  EXPECT_EQ(people["count"], 1);
  EXPECT_EQ(people["people"][0]["identities"][0], "user:bob");
  json named = q;
  named["name"] = "stuck";
  auto [saved_status, saved] =
      Post("/api/funnels/people/segment", named.dump(), "application/json");
  ASSERT_EQ(saved_status, 200) << saved.dump();
  EXPECT_EQ(saved["segment"], "stuck");
  EXPECT_EQ(saved["members"], 1);
  auto [unnamed, unnamed_body] = Post("/api/funnels/people/segment", q.dump(), "application/json");
  EXPECT_EQ(unnamed, 400);
  EXPECT_EQ(unnamed_body["error"]["message"],
            "name: missing; send the new segment's name in the body");
}

}  // namespace
}  // namespace signpost::api
