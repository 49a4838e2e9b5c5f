// Rendering a message: subject override, escaping per field, webhook bodies, and the MIME text
// (encoded subject, no header injection, base64 parts, Message-ID from the key).
#include "delivery/render.h"

#include <gtest/gtest.h>

#include "delivery/mime.h"
#include "delivery/test_support.h"

namespace signpost::delivery {
namespace {

using nlohmann::json;

Message Sample() {
  Message m;
  m.key = "j/1/9/1/s";
  m.journey = JourneyId("j");
  m.version = 1;
  m.entry = 1;
  m.step = "s";
  m.channel = "email";
  m.template_id = "t";
  m.identity = "user:ada";
  m.to = "ada@x.test";
  m.vars = {{"traits", {{"name", "Ada & Co"}}}};
  return m;
}

TEST(RenderTest, EachFieldIsRenderedAndOnlyHtmlIsEscaped) {
  TemplateDef t{
      "t", "email", "Hi {{traits.name}}", "<b>{{traits.name}}</b>", "{{traits.name}} / {{to}}", ""};
  auto r = RenderMessage(t, Sample(), nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subject, "Hi Ada & Co");
  EXPECT_EQ(r->html, "<b>Ada &amp; Co</b>");
  EXPECT_EQ(r->text, "Ada & Co / ada@x.test");
  Message m = Sample();
  m.subject = "Override for {{traits.name}}";
  EXPECT_EQ(RenderMessage(t, m, nullptr)->subject, "Override for Ada & Co");
}

// Issue 11, defect 5: a trait chose the destination of a signed signpost link (open redirect).
TEST(RenderTest, APlaceholderCannotChooseTheHostOfATrackedLink) {
  TemplateDef t{"t",
                "email",
                "",
                "<a href=\"{{traits.site}}\">go</a><a href=\"https://shop.test/"
                "{{traits.path}}\">cart</a>",
                "",
                ""};
  Message m = Sample();
  m.vars = {{"traits", {{"site", "https://evil.test/phish"}, {"path", "c?id=1"}}}};
  TrackingSetup tracking{"https://sp.test", "0123456789abcdef0123456789abcdef", {}, "", ""};
  auto r = RenderMessage(t, m, &tracking);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->html.find("href=\"https://evil.test/phish\""), std::string::npos)
      << "the trait's link stays as written, never a signed redirect: " << r->html;
  EXPECT_EQ(r->html.find("shop.test/c?id=1"), std::string::npos)
      << "the template's host is tracked";
  size_t at = r->html.find("https://sp.test/t/c/");
  ASSERT_NE(at, std::string::npos) << r->html;
  at += std::string("https://sp.test/t/c/").size();
  auto claims = VerifyToken(r->html.substr(at, r->html.find('"', at) - at), tracking.secret);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->url, "https://shop.test/c?id=1");
  EXPECT_EQ(r->html.find("/t/c/", at + 1), std::string::npos) << "one tracked link only";

  // The channel's link_hosts lets a placeholder choose among the hosts it names.
  tracking.link_hosts = {"evil.test"};
  r = RenderMessage(t, m, &tracking);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->html.find("evil.test"), std::string::npos) << r->html;
}

// A visible unsubscribe link in the body (CAN-SPAM, and inboxes that ignore List-Unsubscribe): the
// same signed one-click URL as the header, never rewritten into a tracked click; "" (so the
// default) through a channel that needs no consent.
TEST(RenderTest, TheUnsubscribeUrlIsAValueTheBodyCanPlace) {
  TemplateDef t{"t",
                "email",
                "",
                "<a href=\"{{unsubscribe_url}}\">Unsubscribe</a>",
                "Stop: {{unsubscribe_url | default: \"reply STOP\"}}",
                ""};
  TrackingSetup tracking{"https://sp.test", "0123456789abcdef0123456789abcdef", {}, "email", ""};
  auto r = RenderMessage(t, Sample(), &tracking);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->unsubscribe_url.rfind("https://sp.test/t/u/", 0), 0u) << r->unsubscribe_url;
  EXPECT_EQ(r->text, "Stop: " + r->unsubscribe_url);
  EXPECT_NE(r->html.find("href=\"" + r->unsubscribe_url + "\""), std::string::npos) << r->html;
  EXPECT_EQ(r->html.find("/t/c/"), std::string::npos) << "not a tracked click: " << r->html;
  auto claims = VerifyToken(r->unsubscribe_url.substr(std::string("https://sp.test/t/u/").size()),
                            tracking.secret);
  ASSERT_TRUE(claims.ok());
  EXPECT_TRUE(claims->unsubscribe);
  EXPECT_EQ(claims->consent, "email");

  tracking.consent = "";
  r = RenderMessage(t, Sample(), &tracking);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "Stop: reply STOP");

  ChannelDef c;
  c.type = ChannelType::kWebhook;
  c.payload = {{"text", "{{body}} {{unsubscribe_url}}"}};
  Rendered sms;
  sms.body = "hi";
  sms.unsubscribe_url = "https://sp.test/t/u/x";
  EXPECT_EQ(WebhookBody(c, Sample(), sms), (json{{"text", "hi https://sp.test/t/u/x"}}));
}

TEST(RenderTest, WebhookBodyIsThePayloadTemplateOrTheWholeMessage) {
  Message m = Sample();
  m.channel = "sms";
  m.to = "+1555";
  Rendered r;
  r.body = "hello";
  ChannelDef c;
  c.type = ChannelType::kWebhook;
  EXPECT_EQ(WebhookBody(c, m, r), (json{{"key", m.key},
                                        {"journey", "j"},
                                        {"version", 1},
                                        {"entry", 1},
                                        {"step", "s"},
                                        {"channel", "sms"},
                                        {"template", "t"},
                                        {"identity", "user:ada"},
                                        {"to", "+1555"},
                                        {"body", "hello"}}));
  c.payload = {{"message", {{"to", "{{to}}"}, {"parts", {"{{body}}", "{{traits.name}}"}}}},
               {"n", 3}};
  EXPECT_EQ(WebhookBody(c, m, r),
            (json{{"message", {{"to", "+1555"}, {"parts", {"hello", "Ada & Co"}}}}, {"n", 3}}));
}

TEST(MimeTest, HeadersCannotBeInjectedAndNonAsciiSubjectsAreEncoded) {
  Message m = Sample();
  Rendered r;
  r.subject = "Grüße\r\nBcc: evil@x.test";
  r.text = "plain";
  r.html = "<p>html</p>";
  std::string mime = BuildMime("Shop <shop@example.test>", m, r, 0);
  EXPECT_EQ(mime.find("\r\nBcc:"), std::string::npos) << mime;
  std::string subject = testing::MimeHeader(mime, "Subject");
  ASSERT_EQ(subject.rfind("=?UTF-8?B?", 0), 0u) << subject;
  std::string decoded;
  ASSERT_TRUE(DecodeBase64(subject.substr(10, subject.size() - 12), decoded));
  EXPECT_EQ(decoded, "Grüße  Bcc: evil@x.test");
  EXPECT_EQ(testing::MimeHeader(mime, "Date"), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(testing::MimeHeader(mime, "Message-ID"), MessageIdFor(m.key, "shop@example.test"));
  EXPECT_EQ(MessageIdFor(m.key, "x@example.test").substr(33), "@example.test>");
  EXPECT_EQ(testing::MimePart(mime, "text/plain"), "plain");
  EXPECT_EQ(testing::MimePart(mime, "text/html"), "<p>html</p>");
  for (size_t at = 0, next; (next = mime.find("\r\n", at)) != std::string::npos; at = next + 2)
    EXPECT_LE(next - at, 998u) << "SMTP line limit";
}

}  // namespace
}  // namespace signpost::delivery
