// The CORS policy of `serve --cors-origins`: origins parsed into the form browsers send, the
// preflight's answer and the headers of actual replies, for a list, for "*" and for none.
#include "api/cors.h"

#include <gtest/gtest.h>

namespace signpost::api {
namespace {

std::vector<std::string> Origins(std::string_view list) {
  auto r = CorsPolicy::ParseOrigins(list);
  EXPECT_TRUE(r.ok()) << list << ": " << r.status().ToString();
  return r.ok() ? *r : std::vector<std::string>{};
}

std::string Header(const Response& res, std::string_view name) {
  for (const auto& [n, v] : res.headers)
    if (n == name) return v;
  return "";
}

TEST(CorsOrigins, AreParsedIntoTheFormBrowsersSend) {
  EXPECT_EQ(Origins(""), std::vector<std::string>{});
  EXPECT_EQ(Origins("*"), std::vector<std::string>{"*"});
  EXPECT_EQ(Origins(" https://Shop.Example.com , http://localhost:3000,,"),
            (std::vector<std::string>{"https://shop.example.com", "http://localhost:3000"}));
  // A scheme's default port is left out by browsers, so it is here too.
  EXPECT_EQ(Origins("https://a.example:443,http://b.example:80,https://c.example:8443"),
            (std::vector<std::string>{"https://a.example", "http://b.example",
                                      "https://c.example:8443"}));
  EXPECT_EQ(Origins("http://[::1]:8080,http://127.0.0.1"),
            (std::vector<std::string>{"http://[::1]:8080", "http://127.0.0.1"}));
}

TEST(CorsOrigins, MistakesNameTheFlagTheOriginAndTheFix) {
  const std::pair<const char*, const char*> kBad[] = {
      {"https://shop.example.com/", "has a path"},
      {"https://shop.example.com/checkout", "has a path"},
      {"https://shop.example.com?x=1", "has a path"},
      {"shop.example.com", "has no scheme"},
      {"://shop.example.com", "has no scheme"},
      {"1http://a", "invalid scheme"},
      {"https://user@shop.example.com", "has credentials"},
      {"https://", "has no host"},
      {"https://:8080", "has no host"},
      {"https://shop_example.com", "invalid host"},
      {"https://a.example:", "invalid port"},
      {"https://a.example:http", "invalid port"},
      {"https://a.example:0", "outside 1..65535"},
      {"https://a.example:70000", "outside 1..65535"},
      {"null", "sandboxed"},
      {"*,https://a.example", "give it alone"},
  };
  for (const auto& [list, why] : kBad) {
    auto r = CorsPolicy::ParseOrigins(list);
    ASSERT_FALSE(r.ok()) << list;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("--cors-origins: ", 0), 0u) << r.status().message();
    EXPECT_NE(r.status().message().find(why), std::string::npos)
        << list << ": " << r.status().message();
  }
}

TEST(CorsPolicy, AListAllowsExactlyItsOriginsAndEchoesThem) {
  const CorsPolicy cors(Origins("https://shop.example.com,http://localhost:3000"));
  EXPECT_TRUE(cors.enabled());
  EXPECT_TRUE(cors.Allows("https://shop.example.com"));
  EXPECT_TRUE(cors.Allows("http://localhost:3000"));
  for (const char* other : {"", "http://shop.example.com", "https://shop.example.com:8443",
                            "https://evil.shop.example.com", "https://shop.example.com.evil",
                            "http://localhost:3001", "null", "HTTPS://SHOP.EXAMPLE.COM"})
    EXPECT_FALSE(cors.Allows(other)) << other;

  Response reply;
  cors.AddReplyHeaders("https://shop.example.com", reply);
  EXPECT_EQ(Header(reply, "Access-Control-Allow-Origin"), "https://shop.example.com");
  EXPECT_EQ(Header(reply, "Vary"), "Origin");
  EXPECT_EQ(Header(reply, "Access-Control-Expose-Headers"), "Retry-After");

  Response refused;
  cors.AddReplyHeaders("https://evil.example", refused);
  EXPECT_TRUE(refused.headers.empty());
}

TEST(CorsPolicy, APreflightIs204WithTheAllowHeadersOr403NamingTheFlag) {
  const CorsPolicy cors(Origins("https://shop.example.com"));
  Response ok;
  cors.AnswerPreflight("https://shop.example.com", ok);
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(ok.body, "");
  EXPECT_EQ(Header(ok, "Access-Control-Allow-Origin"), "https://shop.example.com");
  EXPECT_EQ(Header(ok, "Vary"), "Origin");
  EXPECT_EQ(Header(ok, "Access-Control-Allow-Methods"), "POST, OPTIONS");
  // What analytics.js sends: a text/plain body, the write key as Basic auth, its retry count.
  EXPECT_EQ(Header(ok, "Access-Control-Allow-Headers"),
            "Content-Type, Authorization, X-Retry-Count");
  EXPECT_EQ(Header(ok, "Access-Control-Max-Age"), "86400");

  Response no;
  cors.AnswerPreflight("https://evil.example", no);
  EXPECT_EQ(no.status, 403);
  EXPECT_TRUE(no.headers.empty());
  EXPECT_NE(no.body.find("add it to serve --cors-origins"), std::string::npos) << no.body;
}

TEST(CorsPolicy, StarAllowsEveryOriginWithoutEchoingIt) {
  const CorsPolicy cors(Origins("*"));
  EXPECT_TRUE(cors.Allows("https://anything.example"));
  EXPECT_FALSE(cors.Allows(""));
  Response reply;
  cors.AddReplyHeaders("https://anything.example", reply);
  EXPECT_EQ(Header(reply, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(Header(reply, "Vary"), "");
}

TEST(CorsPolicy, NoneAllowsNothingAndItsPreflightSaysHowToEnableIt) {
  const CorsPolicy cors;
  EXPECT_FALSE(cors.enabled());
  EXPECT_FALSE(cors.Allows("https://shop.example.com"));
  Response reply;
  cors.AddReplyHeaders("https://shop.example.com", reply);
  EXPECT_TRUE(reply.headers.empty());
  cors.AnswerPreflight("https://shop.example.com", reply);
  EXPECT_EQ(reply.status, 403);
  EXPECT_NE(reply.body.find("start serve with --cors-origins"), std::string::npos) << reply.body;
}

TEST(CorsPolicy, CoversOnlyTheIngestRoutes) {
  EXPECT_TRUE(CorsPolicy::Covers("/v1/t"));
  EXPECT_TRUE(CorsPolicy::Covers("/v1/batch"));
  EXPECT_FALSE(CorsPolicy::Covers("/v1"));
  EXPECT_FALSE(CorsPolicy::Covers("/api/profiles/x"));
  EXPECT_FALSE(CorsPolicy::Covers("/healthz"));
}

}  // namespace
}  // namespace signpost::api
