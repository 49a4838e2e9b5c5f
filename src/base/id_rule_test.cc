// The id rule (issue 11, defect 9: funnel and segment ids accepted '/', NUL bytes and 100 KB).
#include "base/id_rule.h"

#include <gtest/gtest.h>

#include <string>

namespace signpost {
namespace {

TEST(IdRuleTest, PlainIdsPass) {
  for (std::string_view id : {"a", "onboarding", "cart-reminder", "Churn_risk.v2", "0day"})
    EXPECT_TRUE(CheckId("id", id).ok()) << id;
  EXPECT_TRUE(CheckId("id", std::string(kMaxIdLength, 'x')).ok());
}

TEST(IdRuleTest, EverythingElseIsRefusedNamingTheFieldAndTheRule) {
  const std::string nul("a\0b", 3);
  for (std::string_view id :
       {std::string_view(""), std::string_view("a/b"), std::string_view(nul),
        std::string_view("-x"), std::string_view(".."), std::string_view("a b"),
        std::string_view("é"), std::string_view("a?b=1")}) {
    Status s = CheckId("segment", id);
    ASSERT_FALSE(s.ok()) << id;
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_EQ(s.message().rfind("segment: ", 0), 0u) << s.message();
    EXPECT_NE(s.message().find("1 to 128 letters"), std::string::npos) << s.message();
  }
  Status nul_status = CheckId("id", nul);
  EXPECT_NE(nul_status.message().find("\\x00"), std::string::npos) << nul_status.message();
  Status big = CheckId("id", std::string(100 * 1024, 'a'));
  EXPECT_NE(big.message().find("102400 characters is too long"), std::string::npos);
  EXPECT_LT(big.message().size(), 300u) << "the message never echoes a huge id";
}

}  // namespace
}  // namespace signpost
