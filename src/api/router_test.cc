// The router: segment matching with captures, literal suffixes, first match wins, and the target
// parser's decoding and refusals.
#include "api/router.h"

#include <gtest/gtest.h>

namespace signpost::api {
namespace {

Request Target(std::string_view t) {
  Request r;
  EXPECT_TRUE(ParseTarget(t, r).ok()) << t;
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto named = [this](std::string name) {
      return [this, name](const Request&, Response&) { hit_ = name; };
    };
    router_.Add("GET", "/healthz", Access::kPublic, named("healthz"));
    router_.Add("POST", "/api/funnels/query", Access::kAdmin, named("query"));
    router_.Add("GET", "/api/funnels/{id}/report", Access::kAdmin, named("report"));
    router_.Add("GET", "/api/profiles/{id}/funnels/{funnel}/last-step", Access::kAdmin,
                named("last"));
    router_.Add("GET", "/t/o/{token}.gif", Access::kPublic, named("pixel"));
    router_.Add("GET", "/", Access::kPublic, named("root"));
  }
  std::string Find(std::string_view method, std::string_view target,
                   std::vector<std::string>* captures = nullptr) {
    Request r = Target(target);
    const Route* route = router_.Find(method, r.segments, r.captures);
    if (captures) *captures = r.captures;
    if (!route) return "";
    route->handler(r, res_);
    return hit_;
  }
  Router router_;
  Response res_;
  std::string hit_;
};

TEST_F(RouterTest, MatchesMethodAndEverySegment) {
  EXPECT_EQ(Find("GET", "/healthz"), "healthz");
  EXPECT_EQ(Find("POST", "/healthz"), "");
  EXPECT_EQ(Find("GET", "/healthz/x"), "");
  EXPECT_EQ(Find("GET", "/health"), "");
  EXPECT_EQ(Find("GET", "/"), "root");
  EXPECT_EQ(Find("POST", "/api/funnels/query"), "query");
  EXPECT_EQ(Find("GET", "/api/funnels/query"), "");
}

TEST_F(RouterTest, CapturesAreDecodedWholeSegments) {
  std::vector<std::string> c;
  EXPECT_EQ(Find("GET", "/api/profiles/user%3Aada%40x.test/funnels/signup/last-step?x=1", &c),
            "last");
  EXPECT_EQ(c, (std::vector<std::string>{"user:ada@x.test", "signup"}));
  EXPECT_EQ(Find("GET", "/api/funnels//report", &c), "");  // a capture is never empty
  EXPECT_TRUE(c.empty());
}

TEST_F(RouterTest, ACaptureMayEndInALiteralSuffix) {
  std::vector<std::string> c;
  EXPECT_EQ(Find("GET", "/t/o/abc.def.gif", &c), "pixel");
  EXPECT_EQ(c, std::vector<std::string>{"abc.def"});
  EXPECT_EQ(Find("GET", "/t/o/.gif"), "");
  EXPECT_EQ(Find("GET", "/t/o/abc.png"), "");
}

TEST(ParseTarget, DecodesTheQueryStringFirstValueWins) {
  Request r = Target("/a?limit=10&name=new+list%21&limit=20&flag&=x&&");
  EXPECT_EQ(r.param("limit"), "10");
  EXPECT_EQ(r.param("name"), "new list!");
  EXPECT_TRUE(r.has_param("flag"));
  EXPECT_EQ(r.param("flag"), "");
  EXPECT_EQ(r.query.count(""), 1u);
}

TEST(ParseTarget, RefusesTraversalNulAndEncodedSlashes) {
  Request r;
  EXPECT_FALSE(ParseTarget("/../etc/passwd", r).ok());
  EXPECT_FALSE(ParseTarget("/a/%2e%2e/b", r).ok());
  EXPECT_FALSE(ParseTarget("/api/segments/a%2Fb", r).ok());
  EXPECT_FALSE(ParseTarget("/api/segments/a%00b", r).ok());
  EXPECT_FALSE(ParseTarget("http://evil/", r).ok());
  EXPECT_FALSE(ParseTarget("", r).ok());
  EXPECT_TRUE(ParseTarget("/a/%zz/%4", r).ok());  // a stray '%' stays as it is
  EXPECT_EQ(r.segments, (std::vector<std::string>{"a", "%zz", "%4"}));
}

}  // namespace
}  // namespace signpost::api
