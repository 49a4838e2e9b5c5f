// The audit log: each admin action the engine takes is recorded with the calling thread's actor,
// the clock's time, its target and outcome; failures too; nothing is recorded for reads.
#include <gtest/gtest.h>

#include "engine/test_support.h"
#include "signpost/acting_as.h"

namespace signpost {
namespace {

class AuditTest : public EngineFixture<> {};

constexpr std::string_view kJourney = R"(kind: channel
id: mail
type: file
path: mail.ndjson
---
kind: template
id: hello
channel: mail
subject: Hello
html: <p>Hello</p>
---
kind: journey
id: welcome
entry: { event: Signed Up }
steps:
  - { id: hello, message: { channel: mail, template: hello } }
)";

TEST_F(AuditTest, RecordsEachAdminActionWithItsActorTimeTargetAndOutcome) {
  {
    ActingAs acting("cli:ops");
    ASSERT_TRUE(engine_->Apply(kJourney, "first version").ok());
  }
  clock_.Advance(60'000);
  {
    ActingAs acting("admin:deploy (spa_12345678)");
    ASSERT_TRUE(engine_->SetJourneyState("welcome", "live").ok());
    EXPECT_FALSE(engine_->SetJourneyState("nope", "live").ok());
    auto key = engine_->CreateKey("write", "web site");
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE(engine_->RevokeKey(key->token).ok());
  }
  ASSERT_TRUE(engine_->Journeys().ok());  // a read: not recorded

  auto trail = engine_->Audit(AuditQuery{});
  ASSERT_TRUE(trail.ok()) << trail.status().ToString();
  ASSERT_EQ(trail->entries.size(), 5u);
  EXPECT_EQ(trail->last_seq, 5u);
  const AuditEntry& apply = trail->entries[0];
  EXPECT_EQ(apply.actor, "cli:ops");
  EXPECT_EQ(apply.action, "apply");
  EXPECT_EQ(apply.target, "channel/mail@1, template/hello@1, journey/welcome@1");
  EXPECT_EQ(apply.detail, R"({"note":"first version"})");
  EXPECT_EQ(apply.outcome, "ok");
  const AuditEntry& live = trail->entries[1];
  EXPECT_EQ(live.actor, "admin:deploy (spa_12345678)");
  EXPECT_EQ(live.action, "journey.state");
  EXPECT_EQ(live.target, "journey/welcome");
  EXPECT_EQ(live.at, apply.at + 60'000);
  EXPECT_EQ(live.detail, R"({"state":"live","version":1})");
  const AuditEntry& failed = trail->entries[2];
  EXPECT_EQ(failed.target, "journey/nope");
  EXPECT_NE(failed.outcome.find("journey 'nope' does not exist"), std::string::npos)
      << failed.outcome;
  EXPECT_EQ(failed.detail, "");
  EXPECT_EQ(trail->entries[3].action, "keys.create");
  EXPECT_EQ(trail->entries[3].target, "write key web site");
  EXPECT_EQ(trail->entries[4].action, "keys.revoke");
  // Tokens are never kept whole in the log: a prefix names the key.
  for (const AuditEntry& e : trail->entries) {
    EXPECT_EQ(e.detail.find(std::string_view(engine_->ListKeys()->front().token)),
              std::string::npos);
  }

  AuditQuery only_state;
  only_state.action = "journey.state";
  EXPECT_EQ(engine_->Audit(only_state)->entries.size(), 2u);
  AuditQuery after;
  after.after = 3;
  ASSERT_EQ(engine_->Audit(after)->entries.size(), 2u);
  EXPECT_EQ(engine_->Audit(after)->entries[0].seq, 4u);
}

TEST_F(AuditTest, WithoutAnActorTheEngineActsAsItself) {
  ASSERT_TRUE(engine_->CreateKey("admin", "ops").ok());
  auto trail = engine_->Audit(AuditQuery{});
  ASSERT_EQ(trail->entries.size(), 1u);
  EXPECT_EQ(trail->entries[0].actor, "engine");
  auto key = engine_->ListKeys()->front();
  EXPECT_EQ(engine_->AdminActor(key.token), "admin:ops (" + key.token.substr(0, 12) + ")");
  EXPECT_EQ(engine_->AdminActor("spa_unknown"), "admin:unknown");
}

}  // namespace
}  // namespace signpost
