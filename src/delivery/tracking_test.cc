// Tracking tokens (signed, tamper-evident) and the rewriting of HTML bodies.
#include "delivery/tracking.h"

#include <gtest/gtest.h>

#include <vector>

#include "delivery/signing.h"

namespace signpost::delivery {
namespace {

const std::string kSecret = std::string(32, 'k');

TrackingClaims Claims() {
  return {false, "j/1/7/2/s1", "user:ada", "j", 1, 2, "s1", "email", "", false, ""};
}

TEST(TrackingTest, ATokenCarriesItsClaimsAndVerifiesOnlyWithItsSecret) {
  TrackingClaims c = Claims();
  c.click = true;
  c.url = "https://shop.test/cart?a=1&b=2";
  std::string token = SignToken(c, kSecret);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos)
      << "URL-safe: " << token;
  auto back = VerifyToken(token, kSecret);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->click);
  EXPECT_EQ(back->key, c.key);
  EXPECT_EQ(back->identity, "user:ada");
  EXPECT_EQ(back->version, 1u);
  EXPECT_EQ(back->entry, 2u);
  EXPECT_EQ(back->url, c.url);
  EXPECT_FALSE(VerifyToken(token, std::string(32, 'x')).ok()) << "another folder's secret";
}

TEST(TrackingTest, ATamperedTokenIsRefused) {
  std::string token = SignToken(Claims(), kSecret);
  // Change the claims (another identity) and keep the signature.
  std::string payload;
  ASSERT_TRUE(DecodeBase64Url(token.substr(0, token.find('.')), payload));
  std::string forged = payload;
  forged.replace(forged.find("user:ada"), 8, "user:bob");
  std::string forged_token = Base64Url(forged) + token.substr(token.find('.'));
  EXPECT_FALSE(VerifyToken(forged_token, kSecret).ok());
  // The signature's last character also carries 2 unused bits: a non-canonical variant is refused.
  std::string alt = token;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  alt.back() = alphabet[alphabet.find(token.back()) ^ 1];
  EXPECT_FALSE(VerifyToken(alt, kSecret).ok()) << "a signature decodes from one text only";
  for (std::string bad : {std::string(""), std::string("."), std::string("abc"), token + "x",
                          token.substr(0, token.size() - 1), "!!." + token}) {
    auto r = VerifyToken(bad, kSecret);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().message(), "not a valid tracking token");
    }
  }
}

TEST(TrackingTest, RewritesHttpLinksAndAddsThePixelInsideTheBody) {
  std::string html =
      "<html><BODY><a href=\"https://a.test/x?p=1&amp;q=2\">A</a><a HREF='http://b.test'>B</a>"
      "<a href=\"mailto:x@y.z\">M</a><a href=\"#top\">T</a><a href=x>bare</a></BODY></html>";
  std::string out = AddTracking(html, Claims(), "https://sp.test", kSecret, {"a.test", "b.test"});
  EXPECT_EQ(out.find("a.test"), std::string::npos);
  EXPECT_EQ(out.find("b.test"), std::string::npos);
  EXPECT_NE(out.find("href=\"mailto:x@y.z\""), std::string::npos);
  EXPECT_NE(out.find("href=\"#top\""), std::string::npos);
  EXPECT_NE(out.find("href=x>"), std::string::npos);
  // The first link's token carries the decoded target.
  size_t at = out.find("href=\"https://sp.test/t/c/");
  ASSERT_NE(at, std::string::npos) << out;
  at += std::string("href=\"https://sp.test/t/c/").size();
  auto claims = VerifyToken(out.substr(at, out.find('"', at) - at), kSecret);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->url, "https://a.test/x?p=1&q=2");
  size_t pixel = out.find("<img src=\"https://sp.test/t/o/");
  ASSERT_NE(pixel, std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 14), "</BODY></html>");
  size_t open_at = pixel + std::string("<img src=\"https://sp.test/t/o/").size();
  auto open = VerifyToken(out.substr(open_at, out.find(".gif", open_at) - open_at), kSecret);
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(open->click);
}

TEST(TrackingTest, OnlyLinksToAnAllowedHostBecomeSignedLinks) {
  std::string html =
      "<a href=\"https://shop.test/cart\">A</a><a href=\"https://evil.test/phish\">B</a>"
      "<a href=\"https://shop.test@evil.test/\">C</a><a "
      "href=\"https://shop.test\\@evil.test\">D</a>";
  std::string out = AddTracking(html, Claims(), "https://sp.test", kSecret, {"shop.test"});
  EXPECT_EQ(out.find("shop.test/cart"), std::string::npos) << "the allowed link is tracked";
  EXPECT_NE(out.find("href=\"https://evil.test/phish\""), std::string::npos) << out;
  EXPECT_NE(out.find("href=\"https://shop.test@evil.test/\""), std::string::npos) << out;
  EXPECT_NE(out.find("href=\"https://shop.test\\@evil.test\""), std::string::npos) << out;
}

TEST(TrackingTest, UrlHostIsTheLowerCaseHostOfAnHttpUrlWithoutUserInfo) {
  EXPECT_EQ(UrlHost("https://Shop.Test:8443/x?y#z"), "shop.test");
  EXPECT_EQ(UrlHost("http://shop.test"), "shop.test");
  EXPECT_EQ(UrlHost("HTTPS://shop.test?q"), "shop.test");
  EXPECT_EQ(UrlHost("https://user@evil.test/"), "");
  EXPECT_EQ(UrlHost("https://a\\b/"), "");
  EXPECT_EQ(UrlHost("https:// evil.test/"), "");
  EXPECT_EQ(UrlHost("javascript:alert(1)"), "");
  EXPECT_EQ(UrlHost("//evil.test/"), "");
  EXPECT_EQ(UrlHost("https:///x"), "");
}

TEST(TrackingTest, TemplateLinkHostsAreOnlyHostsWrittenAsText) {
  std::string tmpl =
      "<a href=\"https://shop.test/{{traits.path}}\">1</a><a href='HTTP://Help.Test'>2</a>"
      "<a href=\"{{traits.site}}\">3</a><a href=\"https://{{traits.sub}}.shop.test/\">4</a>"
      "<a href=\"https://blog.test{{traits.path}}\">5</a><a href=\"https://x.test?{{q}}\">6</a>"
      "<a href=\"https://shop.test/again\">7</a>";
  EXPECT_EQ(TemplateLinkHosts(tmpl),
            (std::vector<std::string>{"shop.test", "help.test", "x.test"}));
}

TEST(TrackingTest, APixelIsAppendedWhenThereIsNoBodyTag) {
  std::string out = AddTracking("<p>hi</p>", Claims(), "http://h", kSecret, {});
  EXPECT_EQ(out.rfind("<p>hi</p><img src=\"http://h/t/o/", 0), 0u) << out;
}

TEST(TrackingTest, Base64RoundTrips) {
  for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                std::string("\0\xff\x10", 3)}) {
    std::string back;
    ASSERT_TRUE(DecodeBase64Url(Base64Url(s), back));
    EXPECT_EQ(back, s);
    ASSERT_TRUE(DecodeBase64(Base64(s, 4), back));
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Hex(HmacSha256("key", "The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(TrackingTest, AnUnsubscribeTokenNamesTheConsentAndIsNoOpenOrClick) {
  TrackingClaims c = Claims();
  c.unsubscribe = true;
  c.consent = "email";
  auto back = VerifyToken(SignToken(c, kSecret), kSecret);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->unsubscribe);
  EXPECT_FALSE(back->click);
  EXPECT_EQ(back->consent, "email");
  EXPECT_EQ(back->identity, "user:ada");
  EXPECT_FALSE(VerifyToken(SignToken(Claims(), kSecret), kSecret)->unsubscribe)
      << "an open token is not an unsubscribe token";
}

}  // namespace
}  // namespace signpost::delivery
