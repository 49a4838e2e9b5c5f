// Fuzzes the channel and template definitions (`kind: channel`, `kind: template`) and the link
// tracking of a template's html: a definition or a clear error, never a crash; a tracked link is
// only ever one to a host the template or the channel allowed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "delivery/definitions.h"
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
  return 0;
}
