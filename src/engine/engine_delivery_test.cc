// Delivery through an Engine on a ManualClock, against real providers on loopback (a minimal SMTP
// server and a cpp-httplib webhook receiver): the MIME and JSON they receive, signatures,
// idempotency keys, retries, permanent failures and their events, consent, and a crash between
// the provider's acceptance and the outbox update.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "base/time.h"
#include "delivery/mime.h"
#include "delivery/signing.h"
#include "delivery/test_support.h"
#include "engine/engine_impl.h"
#include "engine/test_support.h"
#include "signpost/engine.h"
#include "wire/wire.h"

namespace signpost {

namespace {

using delivery::testing::MimeHeader;
using delivery::testing::MimePart;
using delivery::testing::SmtpSink;
using delivery::testing::WebhookSink;
using nlohmann::json;

class DeliveryTest : public EngineFixture<> {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    Identify("ada", {{"first_name", "Ada <3"},
                     {"email", "ada@x.test"},
                     {"consent", {{"email", true}, {"sms", true}}}});
  }
  EngineOptions Options() const override {
    EngineOptions o = EngineFixture::Options();
    o.public_url = "http://track.test";
    return o;
  }
  Engine::Impl& impl() { return ImplOf(*engine_); }

  // `user` sets `traits` now.
  void Identify(const std::string& user, const json& traits) {
    auto r = engine_->IngestEvents({IdentifyEvent(
        user, clock_.NowMs(), traits, "identify-" + user + "-" + std::to_string(++identifies_))});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  delivery::Message Message(const std::string& step, const std::string& channel,
                            const std::string& tmpl) {
    delivery::Message m;
    m.journey = JourneyId("cart");
    m.version = 1;
    m.profile = 1;
    m.entry = 1;
    m.step = step;
    m.key = "cart/1/1/1/" + step;
    m.channel = channel;
    m.template_id = tmpl;
    m.identity = "user:ada";
    m.to = channel == "email" ? "ada@x.test" : "+15550100";
    m.vars = {{"traits", {{"first_name", "Ada <3"}}},
              {"event", {{"name", "Cart Updated"}, {"properties", {{"item", "Shoes"}}}}}};
    m.created_at = clock_.NowMs();
    return m;
  }
  // What the runtime does: enqueue inside its batch, write it, wake delivery.
  void Enqueue(const delivery::Message& m) {
    store::Batch batch = impl().store().db().NewBatch();
    impl().delivery->Enqueue(batch, m);
    ASSERT_TRUE(impl().store().db().Write(batch).ok());
    impl().delivery->Notify();
  }
  void Deliver() {
    Status s = engine_->DeliverDue();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // The events named `name` of user ada.
  std::vector<json> Events(std::string_view name) {
    auto r = engine_->ProfileEvents("user:ada", 0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<json> out;
    if (!r.ok()) return out;
    for (const auto& e : EventsJson(*r))
      if (e.value("event", "") == name) out.push_back(e);
    return out;
  }
  json OutboxItem(const std::string& key) {
    auto r = engine_->Outbox(0);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return json();
    const json doc = wire::ToJson(*r);  // the outbox as the API writes it
    for (const auto& m : doc["messages"])
      if (m["key"] == key) return m;
    return json();
  }
  void ApplyEmail(int port) {
    Apply("kind: channel\nid: email\ntype: smtp\nurl: smtp://127.0.0.1:" + std::to_string(port) +
          "\nfrom: \"Shop <shop@example.test>\"\ntimeout: 5s\n");
    Apply(R"(kind: template
id: cart-reminder
channel: email
subject: "Your cart, {{traits.first_name}}"
html: "<html><body><p>Hi {{traits.first_name | default: \"there\"}}, you left {{event.properties.item}} behind. <a href=\"https://shop.test/cart?a=1&amp;b=2\">Back to cart</a> <a href='mailto:help@shop.test'>help</a></p></body></html>"
text: "You left {{event.properties.item}} behind, {{traits.nickname | default: \"friend\"}}."
)");
  }
  void ApplySms(const std::string& url) {
    Apply("kind: channel\nid: sms\ntype: webhook\nurl: " + url +
          "\nsecret: s3cr3t\ntimeout: 5s\npayload: { to: \"{{to}}\", text: \"{{body}}\", key: "
          "\"{{key}}\" }\n");
    Apply(
        "kind: template\nid: sms-reminder\nchannel: sms\nbody: \"{{traits.first_name}}, your "
        "{{event.properties.item}} are waiting\"\n");
  }

  int identifies_ = 0;
};

TEST_F(DeliveryTest, EmailGoesOutOverSmtpAsMultipartMimeWithTrackingAndTheKeyAsMessageId) {
  SmtpSink smtp;
  ApplyEmail(smtp.port());
  delivery::Message m = Message("remind", "email", "cart-reminder");
  Enqueue(m);
  Deliver();

  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].from, "<shop@example.test>");
  EXPECT_EQ(mails[0].rcpt, "<ada@x.test>");
  const std::string& data = mails[0].data;
  EXPECT_EQ(MimeHeader(data, "Subject"), "Your cart, Ada <3");
  EXPECT_EQ(MimeHeader(data, "Message-ID"), delivery::MessageIdFor(m.key, "shop@example.test"));
  EXPECT_EQ(MimeHeader(data, "X-Signpost-Key"), m.key);
  EXPECT_NE(MimeHeader(data, "Content-Type").find("multipart/alternative"), std::string::npos);
  EXPECT_EQ(MimePart(data, "text/plain"), "You left Shoes behind, friend.");
  std::string html = MimePart(data, "text/html");
  EXPECT_NE(html.find("Hi Ada &lt;3, you left Shoes behind."), std::string::npos) << html;
  EXPECT_EQ(html.find("https://shop.test/cart"), std::string::npos)
      << "the link is rewritten: " << html;
  EXPECT_NE(html.find("href=\"http://track.test/t/c/"), std::string::npos) << html;
  EXPECT_NE(html.find("href='mailto:help@shop.test'"), std::string::npos)
      << "only http(s) links are tracked";
  size_t pixel = html.find("<img src=\"http://track.test/t/o/");
  ASSERT_NE(pixel, std::string::npos) << html;
  EXPECT_LT(pixel, html.find("</body>")) << "the pixel goes inside the body";

  EXPECT_EQ(OutboxItem(m.key)["state"], "sent");
  auto delivered = Events("Message Delivered");
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0]["messageId"], "sp:" + m.key + "/delivered");
  EXPECT_EQ(delivered[0]["timestamp"], "2026-11-24T12:00:00.000Z");
  EXPECT_EQ(delivered[0]["properties"], (json{{"journey", "cart"},
                                              {"version", 1},
                                              {"entry", 1},
                                              {"step", "remind"},
                                              {"channel", "email"},
                                              {"key", m.key}}));

  // The same key again, before or after a later DeliverDue, is never a second mail.
  Enqueue(m);
  Deliver();
  clock_.Advance(kDayMs);
  Deliver();
  EXPECT_EQ(smtp.mails().size(), 1u);
}

TEST_F(DeliveryTest, AnSmtp5xxIsPermanentAndRecordedAsMessageFailed) {
  SmtpSink smtp;
  smtp.set_rcpt_reply(550);
  ApplyEmail(smtp.port());
  delivery::Message m = Message("remind", "email", "cart-reminder");
  Enqueue(m);
  Deliver();
  EXPECT_EQ(smtp.mails().size(), 0u);
  json item = OutboxItem(m.key);
  EXPECT_EQ(item["state"], "failed");
  EXPECT_EQ(item["attempts"], 1);
  auto failed = Events("Message Failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["properties"]["permanent"], true);
  EXPECT_NE(failed[0]["properties"]["error"].get<std::string>().find("550"), std::string::npos);
}

TEST_F(DeliveryTest, WebhookPostsTheRenderedPayloadSignedWithTheIdempotencyKey) {
  WebhookSink hook;
  ApplySms(hook.url());
  delivery::Message m = Message("sms", "sms", "sms-reminder");
  Enqueue(m);
  Deliver();
  auto hooks = hook.hooks();
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(
      json::parse(hooks[0].body),
      (json{{"to", "+15550100"}, {"text", "Ada <3, your Shoes are waiting"}, {"key", m.key}}));
  EXPECT_EQ(hooks[0].Header("Idempotency-Key"), m.key);
  EXPECT_EQ(hooks[0].Header("X-Signpost-Signature"),
            "sha256=" + delivery::Hex(delivery::HmacSha256("s3cr3t", hooks[0].body)));
  EXPECT_EQ(hooks[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(OutboxItem(m.key)["state"], "sent");
  EXPECT_EQ(Events("Message Delivered").size(), 1u);
}

TEST_F(DeliveryTest, A500IsRetriedWithBackoffThenDelivered) {
  WebhookSink hook;
  hook.Script({500, 503});
  ApplySms(hook.url());
  delivery::Message m = Message("sms", "sms", "sms-reminder");
  Enqueue(m);
  Deliver();
  json item = OutboxItem(m.key);
  EXPECT_EQ(item["state"], "pending");
  EXPECT_EQ(item["attempts"], 1);
  EXPECT_NE(item["last_error"].get<std::string>().find("HTTP 500"), std::string::npos);
  // Not due again at once: the retry waits (30 s ± 20% for the first).
  Deliver();
  EXPECT_EQ(hook.hooks().size(), 1u);
  clock_.Advance(kMinuteMs);
  Deliver();
  EXPECT_EQ(OutboxItem(m.key)["attempts"], 2);
  clock_.Advance(2 * kMinuteMs);
  Deliver();
  auto hooks = hook.hooks();
  ASSERT_EQ(hooks.size(), 3u);
  for (const auto& h : hooks)
    EXPECT_EQ(h.Header("Idempotency-Key"), m.key) << "every retry has the same key";
  EXPECT_EQ(OutboxItem(m.key)["state"], "sent");
  EXPECT_EQ(Events("Message Delivered").size(), 1u);
  EXPECT_EQ(Events("Message Failed").size(), 0u);
  // /metrics: two attempts retried, one sent, on the message's channel.
  const std::string metrics = engine_->MetricsText();
  EXPECT_NE(metrics.find("signpost_delivery_messages_retried_total{channel=\"sms\"} 2\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("signpost_delivery_messages_sent_total{channel=\"sms\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("signpost_delivery_messages_failed_total{channel=\"sms\"} 0\n"),
            std::string::npos);
}

TEST_F(DeliveryTest, A400IsPermanentAndRecordedOnceAsMessageFailed) {
  WebhookSink hook;
  hook.Script({400});
  ApplySms(hook.url());
  delivery::Message m = Message("sms", "sms", "sms-reminder");
  Enqueue(m);
  Deliver();
  clock_.Advance(kDayMs);
  Deliver();
  EXPECT_EQ(hook.hooks().size(), 1u) << "a permanent failure is not retried";
  json item = OutboxItem(m.key);
  EXPECT_EQ(item["state"], "failed");
  EXPECT_EQ(item["permanent"], true);
  auto failed = Events("Message Failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["messageId"], "sp:" + m.key + "/failed");
  EXPECT_EQ(failed[0]["properties"]["permanent"], true);
  EXPECT_EQ(failed[0]["properties"]["key"], m.key);
  EXPECT_NE(failed[0]["properties"]["error"].get<std::string>().find("HTTP 400"),
            std::string::npos);
}

TEST_F(DeliveryTest, TransientFailuresBecomePermanentAfterTheLastAttempt) {
  WebhookSink hook;
  hook.Script({500, 500, 500, 500, 500, 500, 500});
  ApplySms(hook.url());
  delivery::Message m = Message("sms", "sms", "sms-reminder");
  Enqueue(m);
  for (int i = 0; i < 8; ++i) {
    Deliver();
    clock_.Advance(2 * kHourMs);
  }
  EXPECT_EQ(hook.hooks().size(), 6u);
  json item = OutboxItem(m.key);
  EXPECT_EQ(item["state"], "failed");
  EXPECT_NE(item["last_error"].get<std::string>().find("gave up after 6 attempts"),
            std::string::npos);
  EXPECT_EQ(Events("Message Failed").size(), 1u);
}

TEST_F(DeliveryTest, ConsentIsCheckedJustBeforeSending) {
  WebhookSink hook;
  ApplySms(hook.url());
  delivery::Message m = Message("sms", "sms", "sms-reminder");
  Enqueue(m);
  // Consent revoked after the runtime enqueued the message, before delivery.
  Identify("ada", {{"consent", {{"sms", false}}}});
  Deliver();
  EXPECT_EQ(hook.hooks().size(), 0u);
  json item = OutboxItem(m.key);
  EXPECT_EQ(item["state"], "failed");
  EXPECT_EQ(item["last_error"], "no consent");
  auto failed = Events("Message Failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["properties"]["error"], "no consent");
  EXPECT_EQ(failed[0]["properties"]["permanent"], true);
}

TEST_F(DeliveryTest, AProviderThatAcceptedBeforeACrashGetsTheSameKeyOnceMore) {
  WebhookSink hook;
  // The provider stores the message but its answer is lost (here: a 500 after storing), so the
  // outbox item stays pending, exactly what a crash between the provider call and the outbox
  // update leaves on disk. Then the engine dies.
  hook.Script({500});
  ApplySms(hook.url());
  delivery::Message m = Message("sms", "sms", "sms-reminder");
  Enqueue(m);
  Deliver();
  ASSERT_EQ(hook.hooks().size(), 1u);
  ASSERT_EQ(OutboxItem(m.key)["state"], "pending");
  engine_.reset();

  Open();
  Enqueue(m);  // the runtime re-processing its input after the crash hands the same message over
  clock_.Advance(kHourMs);
  Deliver();
  Deliver();
  clock_.Advance(kDayMs);
  Deliver();
  auto hooks = hook.hooks();
  ASSERT_EQ(hooks.size(), 2u) << "re-sent once, not twice";
  EXPECT_EQ(hooks[1].Header("Idempotency-Key"), m.key) << "the re-send carries the same key";
  EXPECT_EQ(hooks[1].body, hooks[0].body);
  EXPECT_EQ(OutboxItem(m.key)["state"], "sent");
  EXPECT_EQ(Events("Message Delivered").size(), 1u);
}

TEST_F(DeliveryTest, TheFileChannelAppendsOneNdjsonLinePerMessageAndSkipsHoldouts) {
  Apply("kind: template\nid: note\nchannel: file\nbody: \"hello {{traits.first_name}}\"\n");
  Enqueue(Message("a", "file", "note"));
  Enqueue(Message("b", "file", "note"));
  delivery::Message holdout = Message("c", "file", "note");
  holdout.holdout = true;
  Enqueue(holdout);
  Deliver();
  std::ifstream in(dir_ / "outbox.ndjson");
  std::string line;
  std::vector<json> lines;
  while (std::getline(in, line)) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 2u) << "a holdout member's message is never queued";
  EXPECT_EQ(lines[0]["body"], "hello Ada <3");
  EXPECT_EQ(lines[0]["key"], "cart/1/1/1/a");
  EXPECT_EQ(lines[1]["key"], "cart/1/1/1/b");
}

TEST_F(DeliveryTest, APassSendsItsDueItemsInGroupsEachOnceWithOneOutcomeEventEach) {
  // 1,100 messages span three groups of a pass; a webhook among them fails permanently and must
  // not take the file lines of its group with it.
  Apply("kind: template\nid: note\nchannel: file\nbody: \"hello {{traits.first_name}}\"\n");
  WebhookSink sink;
  sink.Script({400});
  ApplySms(sink.url());
  for (int i = 0; i < 1100; ++i) Enqueue(Message("s" + std::to_string(i), "file", "note"));
  Enqueue(Message("bad", "sms", "sms-reminder"));
  Deliver();
  std::ifstream in(dir_ / "outbox.ndjson");
  std::string line;
  std::set<std::string> keys;
  size_t lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    keys.insert(json::parse(line)["key"].get<std::string>());
  }
  EXPECT_EQ(lines, 1100u);
  EXPECT_EQ(keys.size(), 1100u) << "each key once";
  EXPECT_EQ(Events("Message Delivered").size(), 1100u);
  ASSERT_EQ(Events("Message Failed").size(), 1u);
  EXPECT_EQ(OutboxItem("cart/1/1/1/bad")["state"], "failed");
  EXPECT_EQ(OutboxItem("cart/1/1/1/s1099")["state"], "sent");
  Deliver();  // nothing is due any more: nothing is sent again
  std::ifstream again(dir_ / "outbox.ndjson");
  lines = 0;
  while (std::getline(again, line)) ++lines;
  EXPECT_EQ(lines, 1100u);
}

TEST_F(DeliveryTest, DefinitionsAreValidatedAtApplyWithTheFieldAndTheFix) {
  auto error = [&](const std::string& yaml) {
    auto r = engine_->Apply(yaml, "");
    EXPECT_FALSE(r.ok()) << yaml;
    return r.ok() ? std::string() : r.status().message();
  };
  using ::testing::HasSubstr;
  EXPECT_THAT(error("kind: channel\nid: fax\ntype: fax\n"),
              HasSubstr("type: 'fax' is not a channel type; use smtp, webhook or file"));
  EXPECT_THAT(error("kind: channel\nid: email\ntype: smtp\nurl: http://x:25\nfrom: a@b.c\n"),
              HasSubstr("url: an smtp channel needs smtp://"));
  EXPECT_THAT(error("kind: channel\nid: email\ntype: smtp\nurl: smtp://x:25\n"),
              HasSubstr("from: missing"));
  EXPECT_THAT(error("kind: channel\nid: hook\ntype: webhook\n"), HasSubstr("url: missing"));
  EXPECT_THAT(error("kind: channel\nid: hook\ntype: webhook\nurl: https://h.test/x\ncolour: red\n"),
              HasSubstr("colour: not a field of a channel"));
  EXPECT_THAT(error("kind: channel\nid: hook\ntype: webhook\nurl: https://h.test/x\npayload: { t: "
                    "\"{{nope}}\" }\n"),
              HasSubstr("payload.t: unknown value `nope`"));
  EXPECT_THAT(error("kind: template\nid: t\nchannel: push\nbody: hi\n"),
              HasSubstr("channel 'push' is not configured"));
  EXPECT_THAT(
      error("kind: template\nid: t\nchannel: file\nbody: \"Hi {{traits.first_name\"\n"),
      HasSubstr("body: `{{` is not closed; end the placeholder with `}}` (line 1, column 4)"));
  EXPECT_THAT(error("kind: template\nid: t\nchannel: file\nbody: \"Hi {{user.name}}\"\n"),
              HasSubstr("unknown value `user`; a placeholder starts with one of traits, event, "
                        "entry, journey, to"));
  EXPECT_THAT(error("kind: template\nid: t\nchannel: file\nbody: \"Hi {{traits.x | upcase}}\"\n"),
              HasSubstr("unknown filter `upcase`"));
  EXPECT_THAT(error("kind: template\nid: t\nchannel: file\nbody: \"Hi {{ }}\"\n"),
              HasSubstr("empty placeholder"));
  SmtpSink smtp;
  ApplyEmail(smtp.port());
  EXPECT_THAT(error("kind: template\nid: t\nchannel: email\nsubject: s\nbody: hi\n"),
              HasSubstr("html: missing"));
  EXPECT_THAT(error("kind: template\nid: t\nchannel: email\nhtml: hi\n"),
              HasSubstr("subject: missing"));
  // A channel cannot change type under a template that no longer fits it.
  EXPECT_THAT(error("kind: channel\nid: email\ntype: webhook\nurl: https://h.test/x\n"),
              HasSubstr("cannot send template 'cart-reminder'"));
  auto channel = impl().delivery->TemplateChannel("cart-reminder");
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(*channel, "email");
  EXPECT_EQ(impl().delivery->TemplateChannel("nope").status().code(), Code::kNotFound);
  EXPECT_TRUE(impl().delivery->ChannelConfigured("email"));
  EXPECT_TRUE(impl().delivery->ChannelConfigured("file"));
  EXPECT_FALSE(impl().delivery->ChannelConfigured("push"));
}

// The token of the one-click unsubscribe URL in a received email's List-Unsubscribe header.
std::string UnsubscribeToken(const std::string& mime) {
  const std::string header = MimeHeader(mime, "List-Unsubscribe");
  const std::string prefix = "<http://track.test/t/u/";
  size_t at = header.find(prefix);
  if (at == std::string::npos) return "";
  at += prefix.size();
  return header.substr(at, header.find('>', at) - at);
}

TEST_F(DeliveryTest, OneClickUnsubscribeWithdrawsConsentOnceAndALaterSendIsSuppressed) {
  SmtpSink smtp;
  ApplyEmail(smtp.port());
  Enqueue(Message("remind", "email", "cart-reminder"));
  Deliver();
  ASSERT_EQ(smtp.mails().size(), 1u);
  const std::string mime = smtp.mails()[0].data;
  EXPECT_EQ(MimeHeader(mime, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
  const std::string token = UnsubscribeToken(mime);
  ASSERT_FALSE(token.empty()) << MimeHeader(mime, "List-Unsubscribe");

  // Verifying (what a GET shows) changes nothing.
  auto check = engine_->CheckUnsubscribe(token);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(*check, "email");
  EXPECT_EQ(engine_->Profile("user:ada")->consent.email, true);

  // A tampered token records nothing.
  std::string tampered = token;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(engine_->Unsubscribe(tampered).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(engine_->CheckUnsubscribe(tampered).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(engine_->Profile("user:ada")->consent.email, true);

  auto first = engine_->Unsubscribe(token);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto profile = engine_->Profile("user:ada");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->consent.email, false) << "recorded as the consent trait";
  EXPECT_EQ(profile->consent.sms, true) << "only the channel's kind";
  auto again = engine_->Unsubscribe(token);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "a second POST changes nothing";
  size_t identifies = 0;
  for (const auto& e : EventsJson(*engine_->ProfileEvents("user:ada", 0)))
    if (e.value("type", "") == "identify" && e["traits"].contains("consent") &&
        e["traits"]["consent"].contains("email") && e["traits"]["consent"]["email"] == false)
      ++identifies;
  EXPECT_EQ(identifies, 1u) << "one trait change";
  AuditQuery q;
  q.action = "delivery.unsubscribe";
  auto audit = engine_->Audit(q);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->entries.size(), 1u);
  EXPECT_EQ(audit->entries[0].target, "journey/cart");
  EXPECT_EQ(audit->entries[0].outcome, "ok");
  EXPECT_EQ(audit->entries[0].actor, "recipient (one-click unsubscribe)");
  EXPECT_EQ(json::parse(audit->entries[0].detail)["consent"], "email");

  // The consent rules now hold the next email back.
  delivery::Message next = Message("second", "email", "cart-reminder");
  Enqueue(next);
  Deliver();
  EXPECT_EQ(smtp.mails().size(), 1u) << "suppressed";
  EXPECT_EQ(OutboxItem(next.key)["state"], "failed");
  EXPECT_EQ(OutboxItem(next.key)["last_error"], "no consent");
}

TEST_F(DeliveryTest, AChannelWithoutConsentSendsNoListUnsubscribeAndAMailtoComesFromItsOption) {
  SmtpSink smtp;
  Apply("kind: channel\nid: receipts\ntype: smtp\nurl: smtp://127.0.0.1:" +
        std::to_string(smtp.port()) + "\nfrom: shop@example.test\nconsent: none\n");
  Apply("kind: template\nid: receipt\nchannel: receipts\nsubject: Receipt\ntext: Thanks\n");
  delivery::Message receipt = Message("r", "receipts", "receipt");
  receipt.to = "ada@x.test";
  Enqueue(receipt);
  Apply(
      "kind: channel\nid: email\ntype: smtp\nurl: smtp://127.0.0.1:" + std::to_string(smtp.port()) +
      "\nfrom: shop@example.test\nunsubscribe_mailto: unsub@example.test\n");
  Apply("kind: template\nid: news\nchannel: email\nsubject: News\ntext: Hello\n");
  Enqueue(Message("n", "email", "news"));
  Deliver();
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 2u);
  for (const auto& mail : mails) {
    const std::string list = MimeHeader(mail.data, "List-Unsubscribe");
    if (MimeHeader(mail.data, "Subject") == "Receipt") {
      EXPECT_EQ(list, "") << "transactional (consent: none): no unsubscribe";
    } else {
      EXPECT_EQ(list.rfind("<mailto:unsub@example.test?subject=unsubscribe%20", 0), 0u) << list;
      EXPECT_NE(list.find(", <http://track.test/t/u/"), std::string::npos) << list;
    }
  }
}

TEST_F(DeliveryTest, SmtpConnectionsAreReusedAndAConnectionTheServerClosedIsReplaced) {
  SmtpSink smtp;
  ApplyEmail(smtp.port());
  for (int i = 0; i < 8; ++i) Enqueue(Message("a" + std::to_string(i), "email", "cart-reminder"));
  Deliver();
  EXPECT_EQ(smtp.mails().size(), 8u);
  EXPECT_EQ(smtp.connections(), 1) << "one connection for all eight";
  // The server now closes each connection after one message (an idle timeout does the same to a
  // kept one): every message still goes out exactly once, each on a new connection.
  smtp.set_one_message_per_connection(true);
  for (int i = 0; i < 4; ++i) Enqueue(Message("b" + std::to_string(i), "email", "cart-reminder"));
  Deliver();
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 12u);
  std::set<std::string> keys;
  for (const auto& m : mails) keys.insert(MimeHeader(m.data, "X-Signpost-Key"));
  EXPECT_EQ(keys.size(), 12u) << "each once";
  EXPECT_EQ(smtp.connections(), 5);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(OutboxItem("cart/1/1/1/b" + std::to_string(i))["attempts"], 1) << "no retry needed";
}

TEST_F(DeliveryTest, WebhookClientsKeepTheirConnectionUntilTheServerClosesIt) {
  WebhookSink hook;
  hook.set_requests_per_connection(3);
  ApplySms(hook.url());
  for (int i = 0; i < 7; ++i) Enqueue(Message("s" + std::to_string(i), "sms", "sms-reminder"));
  Deliver();
  auto hooks = hook.hooks();
  ASSERT_EQ(hooks.size(), 7u);
  std::set<int> ports;
  for (const auto& h : hooks) ports.insert(h.remote_port);
  EXPECT_EQ(ports.size(), 3u) << "3 + 3 + 1 requests: the server closed after every third";
  for (int i = 0; i < 7; ++i)
    EXPECT_EQ(OutboxItem("cart/1/1/1/s" + std::to_string(i))["state"], "sent");
}

TEST_F(DeliveryTest, FourWorkersSendEveryMessageExactlyOnceAndEachProfilesInOrder) {
  WebhookSink hook;
  hook.set_delay_ms(2);
  ApplySms(hook.url());
  constexpr int kProfiles = 24, kSteps = 8;
  for (int p = 1; p <= kProfiles; ++p) {
    for (int s = 0; s < kSteps; ++s) {
      delivery::Message m = Message("s" + std::to_string(s), "sms", "sms-reminder");
      m.profile = uint64_t(p);
      m.key = "cart/1/" + std::to_string(p) + "/1/s" + std::to_string(s);
      Enqueue(m);
    }
  }
  Deliver();
  Deliver();  // nothing is due again
  auto hooks = hook.hooks();
  ASSERT_EQ(hooks.size(), size_t(kProfiles * kSteps));
  std::map<std::string, std::vector<std::string>> by_profile;
  std::set<std::string> keys;
  for (const auto& h : hooks) {
    const std::string key = h.Header("Idempotency-Key");
    keys.insert(key);
    by_profile[key.substr(0, key.rfind("/1/s"))].push_back(key.substr(key.rfind('/') + 1));
  }
  EXPECT_EQ(keys.size(), size_t(kProfiles * kSteps)) << "each message exactly once";
  for (const auto& [profile, steps] : by_profile)
    EXPECT_EQ(steps, (std::vector<std::string>{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"}))
        << profile << ": one profile's messages in due order";
  EXPECT_GT(hook.max_in_flight(), 1) << "sent in parallel";
  EXPECT_LE(hook.max_in_flight(), 4) << "by at most the four workers";
  EXPECT_EQ(Events("Message Delivered").size(), size_t(kProfiles * kSteps));
}

TEST_F(DeliveryTest, AChannelRateLimitHoldsOnTheEngineClock) {
  WebhookSink hook;
  ApplySms(hook.url());
  Apply("kind: channel\nid: sms\ntype: webhook\nurl: " + hook.url() +
        "\nrate_limit: { per_second: 10 }\n");
  constexpr int kMessages = 35;
  for (int i = 0; i < kMessages; ++i) {
    delivery::Message m = Message("s" + std::to_string(i), "sms", "sms-reminder");
    m.profile = uint64_t(i + 1);  // spread over the workers
    m.key = "cart/1/" + std::to_string(i + 1) + "/1/s";
    Enqueue(m);
  }
  const TimeMs start = clock_.NowMs();
  Deliver();
  EXPECT_EQ(hook.hooks().size(), 10u) << "the burst: a second's worth";
  Deliver();
  EXPECT_EQ(hook.hooks().size(), 10u) << "no token left at the same instant";
  size_t pending = 0;
  for (int i = 0; i < kMessages; ++i) {
    json item = OutboxItem("cart/1/" + std::to_string(i + 1) + "/1/s");
    if (item["state"] == "pending") {
      ++pending;
      EXPECT_EQ(item["attempts"], 0) << "a deferral is not an attempt";
    }
  }
  EXPECT_EQ(pending, 25u);
  while (clock_.NowMs() - start < 4 * kSecondMs) {
    clock_.Advance(100);
    Deliver();
    const DurationMs elapsed = clock_.NowMs() - start;
    // Never more than the burst plus the rate times the time gone by.
    ASSERT_LE(double(hook.hooks().size()), 10 + 10 * double(elapsed) / 1000)
        << "at +" << elapsed << " ms";
  }
  auto hooks = hook.hooks();
  ASSERT_EQ(hooks.size(), size_t(kMessages)) << "all sent in the end";
  std::set<std::string> keys;
  for (const auto& h : hooks) keys.insert(h.Header("Idempotency-Key"));
  EXPECT_EQ(keys.size(), size_t(kMessages));
  EXPECT_EQ(Events("Message Failed").size(), 0u);
}

}  // namespace
}  // namespace signpost
