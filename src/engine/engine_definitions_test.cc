// Applying definitions (issue 11): several documents are applied whole or refused whole; every id
// follows one rule; a definition nested past the YAML parser's depth limit is refused, not a crash.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace signpost {
namespace {

class DefinitionsTest : public EngineFixture<> {
 protected:
  size_t Stored(std::string_view kind) {
    return engine_->ListDefinitions(*DefinitionKindNamed(kind))->definitions.size();
  }
};

constexpr std::string_view kFunnel =
    "kind: funnel\nid: onboarding\nsteps: [Signed Up, Activated]\n";

TEST_F(DefinitionsTest, ABadLaterDocumentMeansNothingIsStored) {
  // Defect 7: only the first document was kept and the rest, even garbage, dropped with a 200.
  std::string text =
      std::string(kFunnel) + "---\nkind: funnel\nid: second\nsteps: [A, B]\n---\n: [garbage\n";
  auto r = engine_->Apply(text, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("document 3 of 3"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("nothing was applied"), std::string::npos);
  EXPECT_EQ(Stored("funnel"), 0u);
}

TEST_F(DefinitionsTest, ValidDocumentsAreAllStoredAndMayReferToEarlierOnes) {
  std::string text =
      "kind: channel\nid: mail\ntype: file\npath: mail.ndjson\n---\n"
      "kind: template\nid: hello\nchannel: mail\nbody: \"hi {{to}}\"\n---\n"
      "kind: segment\nid: trial\nrule: { trait: { plan: trial } }\n---\n" +
      std::string(kFunnel);
  size_t failed = 99;
  auto docs = DefinitionDocuments(text);
  ASSERT_EQ(docs.size(), 4u);
  auto r = engine_->ApplyDocuments(docs, "", &failed);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->applied.size(), 4u);
  EXPECT_EQ(Stored("channel"), 1u);
  EXPECT_EQ(Stored("template"), 1u);
  EXPECT_EQ(Stored("funnel"), 1u);
  auto wrapped = engine_->Apply(std::string(kFunnel) + "---\n" + std::string(kFunnel), "");
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(wire::ToJson(*wrapped)["applied"].size(), 2u);
}

TEST_F(DefinitionsTest, ATemplateWhoseChannelIsNowhereRefusesTheWholeApply) {
  std::string text =
      std::string(kFunnel) + "---\nkind: template\nid: t\nchannel: nowhere\nbody: x\n";
  size_t failed = 99;
  auto r = engine_->ApplyDocuments(DefinitionDocuments(text), "", &failed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(failed, 1u);
  EXPECT_EQ(Stored("funnel"), 0u);
}

TEST_F(DefinitionsTest, IdsFollowOneRule) {
  for (std::string id :
       {std::string("a/b"), std::string("x\\u0000y"), std::string(100 * 1024, 'a')}) {
    auto r = engine_->Apply(
        "{\"kind\": \"funnel\", \"id\": \"" + id + "\", \"steps\": [\"A\", \"B\"]}", "");
    ASSERT_FALSE(r.ok()) << id.substr(0, 20);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("id: ", 0), 0u) << r.status().message().substr(0, 200);
  }
  auto saved = engine_->ImportSegment(SegmentId("../etc"), {"user:a"}, "");
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.status().message().rfind("name: ", 0), 0u) << saved.status().message();
  EXPECT_EQ(Stored("funnel"), 0u);
}

TEST_F(DefinitionsTest, DeepNestingIsRefusedNotACrash) {
  for (std::string open : {"[", "{a: "}) {
    std::string text = "kind: funnel\nid: deep\nsteps: ";
    for (int i = 0; i < 200000; ++i) text += open;
    auto r = engine_->Apply(text, "");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace signpost
