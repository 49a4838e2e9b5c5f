// Opens and clicks end to end: an email goes out over real SMTP, and its open pixel and a
// rewritten link are fetched from the real HTTP server as a mail client would; a tampered token
// is refused and records nothing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "api/server.h"
#include "base/time.h"
#include "delivery/test_support.h"
#include "engine/engine_impl.h"
#include "engine/test_support.h"

namespace signpost::api {
namespace {

using nlohmann::json;

// A loopback port free right now (the engine must know its public URL before the server binds).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The URL in `html` that starts with `prefix` and ends before `end`.
std::string Extract(const std::string& html, const std::string& prefix, char end) {
  size_t at = html.find(prefix);
  if (at == std::string::npos) return "";
  return html.substr(at, html.find(end, at) - at);
}

// The engine (EngineFixture) with its public URL on a free port, and the HTTP server on that port.
class TrackingRoutesTest : public EngineFixture<> {
 protected:
  void SetUp() override {
    port_ = FreePort();
    ASSERT_NO_FATAL_FAILURE(EngineFixture::SetUp());
    ServerOptions so;
    so.port = port_;
    so.threads = 2;
    server_ = std::make_unique<Server>(*engine_, so);
    ASSERT_TRUE(server_->Bind().ok());
    serving_ = std::thread([this] {
      Status s = server_->Run();
      EXPECT_TRUE(s.ok()) << s.ToString();
    });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (serving_.joinable()) serving_.join();
    server_.reset();
    EngineFixture::TearDown();
  }
  EngineOptions Options() const override {
    EngineOptions o = EngineFixture::Options();
    o.public_url = "http://127.0.0.1:" + std::to_string(port_);
    return o;
  }
  std::vector<json> Events(std::string_view name) {
    auto r = engine_->ProfileEvents("user:ada", 1000);
    std::vector<json> out;
    if (!r.ok()) return out;
    for (const auto& e : EventsJson(*r))
      if (e.value("event", "") == name) out.push_back(e);
    return out;
  }

  int port_ = 0;
  std::unique_ptr<Server> server_;
  std::thread serving_;
};

TEST_F(TrackingRoutesTest, APixelAndALinkFromTheReceivedMailBecomeOpenedAndClickedEvents) {
  delivery::testing::SmtpSink smtp;
  ASSERT_TRUE(engine_
                  ->IngestEvents({IdentifyEvent("ada", /*at=*/0, {{"consent", {{"email", true}}}},
                                                "identify-ada")})
                  .ok());
  ASSERT_TRUE(engine_
                  ->Apply("kind: channel\nid: email\ntype: smtp\nurl: smtp://127.0.0.1:" +
                              std::to_string(smtp.port()) + "\nfrom: shop@example.test\n",
                          "")
                  .ok());
  auto applied = engine_->Apply(R"(kind: template
id: welcome
channel: email
subject: Welcome
html: "<body><a href=\"https://shop.test/start?x=1&amp;y=2\">Start</a></body>"
)",
                                "");
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  delivery::Message m;
  m.key = "onboard/1/1/1/welcome";
  m.journey = JourneyId("onboard");
  m.version = 1;
  m.entry = 1;
  m.step = "welcome";
  m.channel = "email";
  m.template_id = "welcome";
  m.identity = "user:ada";
  m.to = "ada@x.test";
  Engine::Impl& impl = ImplOf(*engine_);
  store::Batch batch = impl.store().db().NewBatch();
  impl.delivery->Enqueue(batch, m);
  ASSERT_TRUE(impl.store().db().Write(batch).ok());
  ASSERT_TRUE(engine_->DeliverDue().ok());
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 1u);
  std::string html = delivery::testing::MimePart(mails[0].data, "text/html");

  const std::string base = "http://127.0.0.1:" + std::to_string(port_);
  std::string pixel = Extract(html, base + "/t/o/", '"');
  std::string link = Extract(html, base + "/t/c/", '"');
  ASSERT_FALSE(pixel.empty()) << html;
  ASSERT_FALSE(link.empty()) << html;

  httplib::Client client("127.0.0.1", port_);
  auto open = client.Get(pixel.substr(base.size()));
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);
  EXPECT_EQ(open->get_header_value("Content-Type"), "image/gif");
  EXPECT_EQ(open->body.substr(0, 6), "GIF89a");
  auto click = client.Get(link.substr(base.size()));
  ASSERT_TRUE(click);
  EXPECT_EQ(click->status, 302);
  EXPECT_EQ(click->get_header_value("Location"), "https://shop.test/start?x=1&y=2");

  auto opened = Events("Message Opened");
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0]["properties"], (json{{"journey", "onboard"},
                                           {"version", 1},
                                           {"entry", 1},
                                           {"step", "welcome"},
                                           {"channel", "email"},
                                           {"key", m.key}}));
  EXPECT_EQ(opened[0]["timestamp"], "2026-11-24T12:00:00.000Z");
  auto clicked = Events("Message Clicked");
  ASSERT_EQ(clicked.size(), 1u);
  EXPECT_EQ(clicked[0]["properties"]["url"], "https://shop.test/start?x=1&y=2");
  EXPECT_EQ(clicked[0]["properties"]["key"], m.key);

  // Tampered tokens: one character of the claims changed, or a click token used as a pixel.
  std::string token = link.substr(base.size() + 5);
  std::string tampered = token;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  auto bad_click = client.Get("/t/c/" + tampered);
  ASSERT_TRUE(bad_click);
  EXPECT_EQ(bad_click->status, 400);
  EXPECT_EQ(bad_click->body, "bad request");
  EXPECT_FALSE(bad_click->has_header("Location"));
  auto bad_open = client.Get("/t/o/" + token + ".gif");
  ASSERT_TRUE(bad_open);
  EXPECT_EQ(bad_open->status, 400);
  EXPECT_EQ(Events("Message Opened").size(), 1u);
  EXPECT_EQ(Events("Message Clicked").size(), 1u);
}

TEST_F(TrackingRoutesTest, OneClickUnsubscribeIsAPostAGetOnlyShowsTheButton) {
  delivery::testing::SmtpSink smtp;
  ASSERT_TRUE(engine_
                  ->IngestEvents({IdentifyEvent("ada", /*at=*/0, {{"consent", {{"email", true}}}},
                                                "identify-ada")})
                  .ok());
  ASSERT_TRUE(engine_
                  ->Apply("kind: channel\nid: email\ntype: smtp\nurl: smtp://127.0.0.1:" +
                              std::to_string(smtp.port()) + "\nfrom: shop@example.test\n",
                          "")
                  .ok());
  ASSERT_TRUE(
      engine_->Apply("kind: template\nid: news\nchannel: email\nsubject: News\ntext: Hi\n", "")
          .ok());
  delivery::Message m;
  m.key = "news/1/1/1/send";
  m.journey = JourneyId("news");
  m.version = 1;
  m.entry = 1;
  m.step = "send";
  m.channel = "email";
  m.template_id = "news";
  m.identity = "user:ada";
  m.to = "ada@x.test";
  Engine::Impl& impl = ImplOf(*engine_);
  store::Batch batch = impl.store().db().NewBatch();
  impl.delivery->Enqueue(batch, m);
  ASSERT_TRUE(impl.store().db().Write(batch).ok());
  ASSERT_TRUE(engine_->DeliverDue().ok());
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 1u);
  const std::string base = "http://127.0.0.1:" + std::to_string(port_);
  const std::string header = delivery::testing::MimeHeader(mails[0].data, "List-Unsubscribe");
  std::string url = Extract(header, base + "/t/u/", '>');
  ASSERT_FALSE(url.empty()) << header;
  const std::string path = url.substr(base.size());
  auto consent = [&] { return engine_->Profile("user:ada")->consent.email; };

  httplib::Client client("127.0.0.1", port_);
  // A mail scanner's prefetch (GET) unsubscribes nobody: it gets a page with a button that POSTs.
  auto page = client.Get(path);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<form method=\"post\">"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("name=\"List-Unsubscribe\" value=\"One-Click\""), std::string::npos);
  EXPECT_EQ(consent(), true);

  const std::string one_click = "List-Unsubscribe=One-Click";
  const std::string form = "application/x-www-form-urlencoded";
  std::string tampered = path;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';  // inside the token (after "/t/u/")
  auto bad = client.Post(tampered, one_click, form);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->body, "bad request");
  auto no_body = client.Post(path, "", form);
  ASSERT_TRUE(no_body);
  EXPECT_EQ(no_body->status, 400) << "RFC 8058: the POST says List-Unsubscribe=One-Click";
  auto big = client.Post(path, one_click + std::string(8000, 'x'), form);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 400);
  EXPECT_EQ(consent(), true) << "nothing recorded so far";

  // The one-click POST an inbox provider sends: no cookies, no auth.
  auto done = client.Post(path, one_click, form);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_EQ(consent(), false);
  auto again = client.Post(path, one_click, form);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << "idempotent";
  EXPECT_EQ(consent(), false);
  AuditQuery q;
  q.action = "delivery.unsubscribe";
  EXPECT_EQ(engine_->Audit(q)->entries.size(), 1u);
}

}  // namespace
}  // namespace signpost::api
