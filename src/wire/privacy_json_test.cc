// The regulation request of POST /api/regulations: Segment's shape, bounded, errors naming the
// field.
#include <gtest/gtest.h>

#include "wire/wire.h"

namespace signpost::wire {
namespace {

using nlohmann::json;

TEST(RegulationRequestJson, ReadsSegmentsShape) {
  auto r = ParseRegulationRequest(json::parse(
      R"({"regulationType":"SUPPRESS_WITH_DELETE","subject":{"type":"anonymousId","ids":["a","b"]}})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->type, RegulationType::kSuppressWithDelete);
  EXPECT_EQ(r->subject, SubjectType::kAnonymousId);
  EXPECT_EQ(r->ids, (std::vector<std::string>{"a", "b"}));
  auto user =
      ParseRegulationRequest(json::parse(R"({"regulationType":"DELETE","subject":{"ids":["u"]}})"));
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->subject, SubjectType::kUserId);
}

TEST(RegulationRequestJson, ErrorsNameTheField) {
  auto message = [](std::string_view body) {
    auto r = ParseRegulationRequest(json::parse(body));
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(message(R"({"subject":{"ids":["u"]}})").rfind("regulationType:", 0), 0u);
  EXPECT_EQ(
      message(R"({"regulationType":"ERASE","subject":{"ids":["u"]}})").rfind("regulationType:", 0),
      0u);
  EXPECT_EQ(message(R"({"regulationType":"DELETE"})").rfind("subject:", 0), 0u);
  EXPECT_EQ(message(R"({"regulationType":"DELETE","subject":{"type":"email","ids":["u"]}})")
                .rfind("subject.type:", 0),
            0u);
  EXPECT_EQ(message(R"({"regulationType":"DELETE","subject":{"ids":[]}})").rfind("subject.ids:", 0),
            0u);
  EXPECT_EQ(message(R"({"regulationType":"DELETE","subject":{"ids":["u", 3]}})")
                .rfind("subject.ids[1]:", 0),
            0u);
  json many = {{"regulationType", "DELETE"}, {"subject", {{"ids", json::array()}}}};
  for (size_t i = 0; i <= kMaxRegulationIds; ++i) many["subject"]["ids"].push_back("x");
  auto r = ParseRegulationRequest(many);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("subject.ids:", 0), 0u);
}

TEST(RegulationReportJson, WritesCountsAndNoIdsBeyondNotFound) {
  RegulationReport r;
  r.id = 7;
  r.type = RegulationType::kDelete;
  r.state = "done";
  r.created_at = 1000;
  r.finished_at = 2000;
  r.subjects = 2;
  r.found = 1;
  r.not_found = {"nobody"};
  r.services = {"journeys"};
  r.purged = true;
  json j = ToJson(r);
  EXPECT_EQ(j["regulationId"], "7");
  EXPECT_EQ(j["regulationType"], "DELETE");
  EXPECT_EQ(j["notFound"], json::array({"nobody"}));
  EXPECT_EQ(j["purged"], true);
  EXPECT_EQ(j["services"], json::array({"journeys"}));
}

}  // namespace
}  // namespace signpost::wire
