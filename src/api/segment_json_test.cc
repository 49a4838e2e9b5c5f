// The JSON of the segment routes, pinned byte for byte (golden_test_support.h): the list of
// segments (static lists and a rule segment), one static segment, one rule segment with its members
// now, the segments of a profile, an import (replace, then add), and the errors (an unknown
// segment or profile, a bad id, a bad body, an import into a rule segment). Expected replies:
// testdata/segment_json.golden.
#include "api/golden_test_support.h"

namespace signpost::api {
namespace {

const Call kSegmentCalls[] = {
    {"GET", "/api/segments"},
    {"GET", "/api/segments/vip"},
    {"GET", "/api/segments/paying"},
    {"GET", "/api/segments/recent"},
    {"GET", "/api/profiles/u1/segments"},
    {"GET", "/api/profiles/u4/segments"},
    {"GET", "/api/profiles/user:u3/segments"},
    {"POST", "/api/segments/imported/members",
     R"({"ids": ["u1", " user:u2 ", "anon:nobody", "ghost", "u1"], "note": "first list"})"},
    {"GET", "/api/segments/imported"},
    {"POST", "/api/segments/imported/members", R"({"ids": ["u4", "u2", "late"], "mode": "add"})"},
    {"POST", "/api/segments/imported/members", R"({"ids": ["u6"], "mode": "replace"})"},
    {"GET", "/api/segments/imported"},
    {"GET", "/api/profiles/u6/segments"},
    {"GET", "/api/segments"},
    // Errors: each names the segment, the id or the field, and the fix.
    {"GET", "/api/segments/nope"},
    {"GET", "/api/profiles/nope/segments"},
    {"POST", "/api/segments/bad%20id/members", R"({"ids": ["u1"]})"},
    {"POST", "/api/segments/paying/members", R"({"ids": ["u1"]})"},
    {"POST", "/api/segments/imported/members", R"({"ids": [""]})"},
    {"POST", "/api/segments/imported/members", R"({"ids": ["user:"]})"},
    {"POST", "/api/segments/imported/members", R"({"ids": [7]})"},
    {"POST", "/api/segments/imported/members", R"({"ids": "u1"})"},
    {"POST", "/api/segments/imported/members", R"({"ids": ["u1"], "mode": "merge"})"},
    {"POST", "/api/segments/imported/members", R"({"ids": ["u1"], "note": 3})"},
    {"POST", "/api/segments/imported/members", "not json"},
};

// The common data set plus two rule segments: `recent` (signed up in the last 5 days) and
// `paying` (an order over 5 by someone who agreed to email, or a recent sign-up on a pro plan).
class SegmentJsonTest : public GoldenRoutesTest {
 protected:
  std::vector<std::string> MoreDefinitions() const override {
    return {R"(kind: segment
id: recent
name: Signed up lately
rule: { event: Signed Up, within: 5d }
)",
            R"(kind: segment
id: paying
name: Paying customers
note: buyers we may email
rule:
  any:
    - all:
        - event: Order Completed
          where: { properties.revenue: { gt: 5 } }
          count: { gte: 1 }
        - trait: { consent.email: true }
    - all:
        - segment: recent
        - not: { trait: { plan: free } }
        - event: Viewed Pricing
          where: { properties.plan: pro }
)"};
  }
};

TEST_F(SegmentJsonTest, SegmentRoutesAnswerTheDocumentsTheyAnsweredBefore) {
  ExpectGolden(kSegmentCalls, "segment_json.golden");
}

}  // namespace
}  // namespace signpost::api
