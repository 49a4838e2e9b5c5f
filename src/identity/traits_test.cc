#include "identity/traits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace signpost::identity {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(Traits, FlattensNestedObjectsToDottedNames) {
  auto flat =
      FlattenTraits(R"({"consent":{"email":true,"sms":false},"plan":"pro",)"
                    R"("tags":["a","b"],"address":{"geo":{"lat":1.5}},"empty":{},"n":null})");
  EXPECT_THAT(flat, ElementsAre(Pair("address.geo.lat", "1.5"), Pair("consent.email", "true"),
                                Pair("consent.sms", "false"), Pair("n", "null"),
                                Pair("plan", "\"pro\""), Pair("tags", "[\"a\",\"b\"]")));
}

TEST(Traits, NonObjectsSetNothing) {
  EXPECT_TRUE(FlattenTraits("[1,2]").empty());
  EXPECT_TRUE(FlattenTraits("not json").empty());
  EXPECT_TRUE(FlattenTraits("").empty());
}

TEST(Traits, CurrentIsLatestByTimestampThenSeq) {
  std::vector<TraitChange> history = {
      {"plan", "\"b\"", 100, 5}, {"plan", "\"a\"", 100, 4}, {"plan", "\"c\"", 50, 9}};
  auto current = CurrentTraits(history);
  EXPECT_EQ(current.at("plan"), "\"b\"");
  EXPECT_EQ(history[0].seq, 9u);  // sorted in place
}

TEST(Traits, ConsentNeedsBooleans) {
  Consent c = ConsentOf(
      {{"consent.email", "true"}, {"consent.sms", "\"true\""}, {"consent.push", "false"}});
  EXPECT_EQ(c.email, true);
  EXPECT_FALSE(c.sms.has_value());
  EXPECT_EQ(c.push, false);
}

}  // namespace
}  // namespace signpost::identity
