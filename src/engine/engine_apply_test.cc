// Definitions managed like kubectl manages manifests (issue 14): an apply of the same definition
// stores nothing (unchanged), a dry run says what an apply would do and stores nothing, a stored
// version is read back with its text, and a delete is refused while another definition uses it.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace signpost {
namespace {

class ApplyTest : public EngineFixture<> {
 protected:
  uint64_t Latest(DefinitionKind kind, std::string_view id) {
    auto d = engine_->GetDefinition(kind, id);
    return d.ok() ? d->version : 0;
  }
};

constexpr std::string_view kOnboarding =
    "kind: funnel\nid: onboarding\nsteps: [Signed Up, Activated]\n";
// The same funnel, written otherwise: JSON, keys in another order, a comment.
constexpr std::string_view kOnboardingAgain =
    "# the onboarding funnel\n{\"steps\": [\"Signed Up\", \"Activated\"], \"id\": \"onboarding\", "
    "\"kind\": \"funnel\"}\n";
constexpr std::string_view kMailSetup =
    "kind: channel\nid: email\ntype: file\npath: email.ndjson\n---\n"
    "kind: template\nid: t\nchannel: email\nsubject: Hi\nhtml: \"<p>Hi</p>\"\n---\n"
    "kind: segment\nid: pro\nrule: { trait: { plan: pro } }\n";
constexpr std::string_view kUpsell =
    "kind: journey\nid: upsell\nentry: { event: Visited }\nsteps:\n"
    "  - id: by-plan\n    branch:\n"
    "      - { if: { segment: pro, funnel: { id: onboarding, last_step: { gte: 1 } } }, goto: "
    "mail }\n"
    "      - { else: mail }\n"
    "  - { id: mail, message: { channel: email, template: t } }\n";

TEST_F(ApplyTest, TheSameDefinitionAppliedAgainStoresNoNewVersion) {
  auto first = engine_->Apply(kOnboarding, "");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->applied[0].action, ApplyAction::kCreated);
  auto again = engine_->Apply(kOnboardingAgain, "a note that changes nothing");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->applied[0].action, ApplyAction::kUnchanged);
  EXPECT_EQ(again->applied[0].version, 1u);
  EXPECT_EQ(Latest(DefinitionKind::kFunnel, "onboarding"), 1u);
  EXPECT_EQ(wire::ToJson(*again)["action"], "unchanged");

  auto changed = engine_->Apply("kind: funnel\nid: onboarding\nsteps: [Signed Up, Paid]\n", "");
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->applied[0].action, ApplyAction::kConfigured);
  EXPECT_EQ(changed->applied[0].version, 2u);
}

TEST_F(ApplyTest, SettingsAreComparedOnceNormalized) {
  ASSERT_TRUE(
      engine_->Apply("kind: settings\nid: global\nfrequency_cap: { per_day: 3 }\n", "").ok());
  auto again = engine_->Apply(
      "{\"kind\": \"settings\", \"id\": \"global\", \"frequency_cap\": "
      "{\"per_day\": 3}}",
      "");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->applied[0].action, ApplyAction::kUnchanged);
}

TEST_F(ApplyTest, ADryRunSaysWhatWouldChangeAndStoresNothing) {
  ASSERT_TRUE(engine_->Apply(kOnboarding, "").ok());
  const std::string text = std::string(kOnboardingAgain) + "---\n" + std::string(kMailSetup) +
                           "---\nkind: funnel\nid: checkout\nsteps: [Cart, Paid]\n";
  auto plan = engine_->PlanDocuments(DefinitionDocuments(text));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->dry_run);
  ASSERT_EQ(plan->applied.size(), 5u);
  EXPECT_EQ(plan->applied[0].action, ApplyAction::kUnchanged);
  EXPECT_EQ(plan->applied[1].action, ApplyAction::kCreated);
  EXPECT_EQ(plan->applied[1].version, 1u);
  EXPECT_EQ(wire::ToJson(*plan)["dry_run"], true);
  EXPECT_EQ(Latest(DefinitionKind::kChannel, "email"), 0u) << "a dry run stores nothing";
  EXPECT_EQ(Latest(DefinitionKind::kFunnel, "checkout"), 0u);

  // A changed definition would be the next version; a second document of the same id the one
  // after.
  auto twice = engine_->PlanDocuments(DefinitionDocuments(
      "kind: funnel\nid: onboarding\nsteps: [A, B]\n---\nkind: funnel\nid: onboarding\nsteps: [A, "
      "C]\n"));
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->applied[0].action, ApplyAction::kConfigured);
  EXPECT_EQ(twice->applied[0].version, 2u);
  EXPECT_EQ(twice->applied[1].version, 3u);
}

TEST_F(ApplyTest, ADryRunChecksEveryDocumentAsAnApplyWould) {
  // One document alone is checked completely too: its template's channel does not exist.
  size_t failed = 99;
  auto plan = engine_->PlanDocuments(
      DefinitionDocuments("kind: template\nid: t\nchannel: nowhere\nsubject: Hi\nhtml: x\n"),
      &failed);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(failed, 0u);
  EXPECT_NE(plan.status().message().find("nowhere"), std::string::npos) << plan.status().message();
  // A journey may refer to what earlier documents of the same dry run define.
  auto whole = engine_->PlanDocuments(DefinitionDocuments(std::string(kOnboarding) + "---\n" +
                                                          std::string(kMailSetup) + "---\n" +
                                                          std::string(kUpsell)));
  EXPECT_TRUE(whole.ok()) << whole.status().ToString();
}

TEST_F(ApplyTest, AStoredVersionIsReadBackWithItsText) {
  ASSERT_TRUE(engine_->Apply(kOnboarding, "first").ok());
  ASSERT_TRUE(engine_->Apply("kind: funnel\nid: onboarding\nsteps: [A, B]\n", "second").ok());
  auto latest = engine_->GetDefinition(DefinitionKind::kFunnel, "onboarding");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 2u);
  EXPECT_EQ(latest->note, "second");
  EXPECT_EQ(latest->body, "kind: funnel\nid: onboarding\nsteps: [A, B]\n");
  auto first = engine_->GetDefinition(DefinitionKind::kFunnel, "onboarding", 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->body, kOnboarding);
  EXPECT_EQ(engine_->GetDefinition(DefinitionKind::kFunnel, "onboarding", 3).status().code(),
            Code::kNotFound);
  EXPECT_EQ(engine_->GetDefinition(DefinitionKind::kSegment, "nope").status().code(),
            Code::kNotFound);
}

TEST_F(ApplyTest, ADeleteIsRefusedWhileAnotherDefinitionUsesIt) {
  ASSERT_TRUE(engine_
                  ->Apply(std::string(kOnboarding) + "---\n" + std::string(kMailSetup) +
                              "---\nkind: segment\nid: pro-or-vip\nrule: { any: [ { segment: "
                              "pro }, { trait: { vip: true } } ] }\n",
                          "")
                  .ok());
  ASSERT_TRUE(engine_->Apply(kUpsell, "").ok());
  auto funnel = engine_->DeleteDefinition(DefinitionKind::kFunnel, "onboarding", false);
  ASSERT_FALSE(funnel.ok());
  EXPECT_EQ(funnel.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(funnel.status().message().find("journey/upsell@1"), std::string::npos)
      << funnel.status().message();
  auto segment = engine_->DeleteDefinition(DefinitionKind::kSegment, "pro", true);
  ASSERT_FALSE(segment.ok());
  EXPECT_NE(segment.status().message().find("segment/pro-or-vip"), std::string::npos);
  EXPECT_NE(segment.status().message().find("journey/upsell@1"), std::string::npos);
  auto channel = engine_->DeleteDefinition(DefinitionKind::kChannel, "email", false);
  ASSERT_FALSE(channel.ok());
  EXPECT_NE(channel.status().message().find("template/t"), std::string::npos);
  EXPECT_NE(channel.status().message().find("journey/upsell@1"), std::string::npos);
  EXPECT_EQ(engine_->DeleteDefinition(DefinitionKind::kTemplate, "t", false).status().code(),
            Code::kFailedPrecondition);
  // Journeys and settings are never deleted; an unknown id is not found.
  EXPECT_EQ(engine_->DeleteDefinition(DefinitionKind::kJourney, "upsell", false).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(engine_->DeleteDefinition(DefinitionKind::kSettings, "global", false).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(engine_->DeleteDefinition(DefinitionKind::kFunnel, "nope", false).status().code(),
            Code::kNotFound);
  // A later version of the journey that no longer uses the funnel is not enough: people may
  // still be inside version 1.
  ASSERT_TRUE(engine_
                  ->Apply("kind: journey\nid: upsell\nentry: { event: Visited }\nsteps:\n"
                          "  - { id: mail, message: { channel: email, template: t } }\n",
                          "")
                  .ok());
  EXPECT_FALSE(engine_->DeleteDefinition(DefinitionKind::kFunnel, "onboarding", false).ok());
}

TEST_F(ApplyTest, ADeletedDefinitionIsGoneAndMayBeCreatedAgain) {
  ASSERT_TRUE(
      engine_->Apply(std::string(kOnboarding) + "---\n" + std::string(kMailSetup), "").ok());
  ASSERT_TRUE(
      engine_->Apply("kind: segment\nid: pro\nrule: { trait: { plan: enterprise } }\n", "").ok());
  auto dry = engine_->DeleteDefinition(DefinitionKind::kSegment, "pro", true);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->versions, 2u);
  EXPECT_TRUE(engine_->ListSegments().ok());
  EXPECT_EQ(Latest(DefinitionKind::kSegment, "pro"), 2u) << "a dry run deletes nothing";

  auto deleted = engine_->DeleteDefinition(DefinitionKind::kSegment, "pro", false);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(wire::ToJson(*deleted)["deleted"], true);
  EXPECT_EQ(Latest(DefinitionKind::kSegment, "pro"), 0u);
  EXPECT_EQ(engine_->Segment(SegmentId("pro")).status().code(), Code::kNotFound);
  // The template goes, then its channel (no template uses it any more).
  EXPECT_TRUE(engine_->DeleteDefinition(DefinitionKind::kTemplate, "t", false).ok());
  EXPECT_TRUE(engine_->DeleteDefinition(DefinitionKind::kChannel, "email", false).ok());
  EXPECT_TRUE(engine_->DeleteDefinition(DefinitionKind::kFunnel, "onboarding", false).ok());
  auto again = engine_->Apply(kOnboarding, "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->applied[0].action, ApplyAction::kCreated);
  EXPECT_EQ(again->applied[0].version, 1u);
  // Each delete is in the audit log.
  AuditQuery q;
  q.action = "delete";
  auto audit = engine_->Audit(q);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->entries.size(), 4u);
}

}  // namespace
}  // namespace signpost
