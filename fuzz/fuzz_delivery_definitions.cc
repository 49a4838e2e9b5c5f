// Fuzzes the channel and template definitions (`kind: channel`, `kind: template`) and the link
// tracking of a template's html: a definition or a clear error, never a crash; a tracked link is
// only ever one to a host the template or the channel allowed. The bytes also go through the mail
// header writers (a subject or display name is a trait value from outside): one header, folded
// only before white space (no injected header, no bare CR or LF), no subject line over SMTP's 998;
// and they are verified as an unsubscribe token.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "delivery/definitions.h"
#include "delivery/mime.h"
#include "delivery/tracking.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto channel = delivery::ParseChannel(text);
  if (!channel.ok())
    fuzz::Check(!channel.status().message().empty(), "channel error without a message");
  auto tmpl = delivery::ParseTemplate(text);
  if (!tmpl.ok()) {
    fuzz::Check(!tmpl.status().message().empty(), "template error without a message");
  } else {
    for (auto type : {delivery::ChannelType::kSmtp, delivery::ChannelType::kWebhook,
                      delivery::ChannelType::kFile})
      (void)delivery::CheckTemplateFits(*tmpl, type);  // fits or not: only a crash is a finding
  }
  // The bytes as an html body: tracked links go to allowed hosts only.
  std::vector<std::string> hosts = delivery::TemplateLinkHosts(text);
  for (const auto& h : hosts)
    fuzz::Check(!h.empty() && h.find('@') == std::string::npos, "bad host");
  delivery::TrackingClaims base;
  std::string out = delivery::AddTracking(text, base, "https://sp.test", "secret", hosts);
  fuzz::Check(out.size() >= text.size(), "tracking drops text");
  // Folded only before white space, in all three; a subject line never over SMTP's 998 (a value
  // no line could hold is encoded instead).
  const std::string headers[] = {delivery::TextHeader("Subject", text),
                                 delivery::MailboxHeader("From", text),
                                 delivery::FoldedHeader("List-Unsubscribe", text)};
  for (const std::string& header : headers) {
    fuzz::Check(header.size() >= 2 && header.compare(header.size() - 2, 2, "\r\n") == 0,
                "a header not ended by CRLF");
    size_t line = 0;
    for (size_t i = 0; i + 2 < header.size(); ++i) {
      const char c = header[i];
      if (c == '\r') {
        fuzz::Check(header[i + 1] == '\n' && (header[i + 2] == ' ' || header[i + 2] == '\t'),
                    "a line break that is not a fold");
        fuzz::Check(&header != &headers[0] || line <= 998, "a subject line over 998");
        line = 0;
        ++i;
      } else {
        fuzz::Check(c != '\n', "a bare LF in a header");
        ++line;
      }
    }
  }
  (void)delivery::VerifyToken(text, "secret");  // the unsubscribe endpoint's token: never a crash
  return 0;
}
