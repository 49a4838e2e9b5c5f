// The channel rate limit: the token bucket on a clock moved by hand, and `rate_limit` /
// `unsubscribe_mailto` in a channel definition.
#include "delivery/rate_limit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "delivery/definitions.h"
#include "delivery/render.h"

namespace signpost::delivery {
namespace {

TEST(TokenBucketTest, ABurstThenTheRateAndDeferredSendsComeDueOneByOne) {
  TokenBucket b(/*per_second=*/10, /*burst=*/10, /*now=*/1000);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(b.Take(1000, nullptr)) << i;
  TimeMs retry = 0;
  EXPECT_FALSE(b.Take(1000, &retry));
  EXPECT_EQ(retry, 1100);
  EXPECT_FALSE(b.Take(1000, &retry));
  EXPECT_EQ(retry, 1200) << "the next deferred send gets the next slot";
  int taken = 0;
  while (b.Take(1500, nullptr)) ++taken;
  EXPECT_EQ(taken, 5) << "half a second refills five tokens";
  // Never more than burst + rate x elapsed, whatever the pattern of tries.
  TokenBucket c(50, 20, 0);
  int sent = 0;
  for (TimeMs t = 0; t <= 10'000; t += 7) {
    for (int k = 0; k < 3; ++k) sent += c.Take(t, nullptr) ? 1 : 0;
    ASSERT_LE(sent, 20 + 50 * t / 1000) << "at " << t;
  }
  EXPECT_GE(sent, 20 + 50 * 10 - 1) << "and the limit is reached";
}

TEST(ChannelDefinitionTest, RateLimitAndUnsubscribeMailtoAreValidated) {
  auto c = ParseChannel(
      "kind: channel\nid: email\ntype: smtp\nurl: smtp://127.0.0.1:25\nfrom: a@b.test\n"
      "rate_limit: { per_second: 0.5, burst: 3 }\nunsubscribe_mailto: unsub@b.test\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->rate_per_second, 0.5);
  EXPECT_EQ(c->rate_burst, 3);
  EXPECT_EQ(c->unsubscribe_mailto, "unsub@b.test");
  auto d = ParseChannel(
      "kind: channel\nid: hook\ntype: webhook\nurl: http://h.test/x\nrate_limit: {per_second: "
      "50}\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rate_burst, 50) << "burst defaults to a second's worth";
  using ::testing::HasSubstr;
  auto error = [](const std::string& extra) {
    auto r = ParseChannel(
        "kind: channel\nid: email\ntype: smtp\nurl: smtp://h:25\nfrom: a@b.test\n" + extra);
    return r.ok() ? std::string("accepted") : r.status().message();
  };
  EXPECT_THAT(error("rate_limit: 50\n"), HasSubstr("rate_limit: expected a mapping"));
  EXPECT_THAT(error("rate_limit: { per_second: 0 }\n"),
              HasSubstr("rate_limit.per_second: '0' is not a number above 0"));
  EXPECT_THAT(error("rate_limit: { per_second: fast }\n"), HasSubstr("'fast' is not a number"));
  EXPECT_THAT(error("rate_limit: { burst: 5 }\n"), HasSubstr("rate_limit.per_second: missing"));
  EXPECT_THAT(error("rate_limit: { per_second: 5, burst: 2.5 }\n"),
              HasSubstr("rate_limit.burst: expected a whole number"));
  EXPECT_THAT(error("rate_limit: { per_second: 5, per_minute: 2 }\n"),
              HasSubstr("rate_limit.per_minute: not a field of rate_limit"));
  EXPECT_THAT(error("unsubscribe_mailto: \"x@y.test?cc=z@w.test\"\n"),
              HasSubstr("unsubscribe_mailto: expected a bare address"));
  auto file = ParseChannel("kind: channel\nid: f\ntype: file\nunsubscribe_mailto: a@b.test\n");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("a file channel has no `unsubscribe_mailto`"));
}

TEST(UnsubscribeUrlTest, OnlyAMessageThatNeedsConsentGetsOneAndItsTokenNamesIt) {
  TemplateDef t{"t", "email", "Hi", "", "text", ""};
  Message m;
  m.key = "j/1/9/1/s";
  m.identity = "user:ada";
  m.channel = "email";
  TrackingSetup with{"https://sp.test", std::string(32, 's'), {}, "email", "unsub@shop.test"};
  auto r = RenderMessage(t, m, &with);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->unsubscribe_url.rfind("https://sp.test/t/u/", 0), 0u) << r->unsubscribe_url;
  const std::string token = r->unsubscribe_url.substr(20);
  auto claims = VerifyToken(token, std::string(32, 's'));
  ASSERT_TRUE(claims.ok());
  EXPECT_TRUE(claims->unsubscribe);
  EXPECT_EQ(claims->consent, "email");
  EXPECT_EQ(claims->key, m.key);
  EXPECT_EQ(r->unsubscribe_mailto, "mailto:unsub@shop.test?subject=unsubscribe%20" + token);
  EXPECT_EQ(RenderedJson(m, *r)["unsubscribe_url"], r->unsubscribe_url);
  TrackingSetup transactional{"https://sp.test", std::string(32, 's'), {}, "", ""};
  EXPECT_EQ(RenderMessage(t, m, &transactional)->unsubscribe_url, "");
}

}  // namespace
}  // namespace signpost::delivery
