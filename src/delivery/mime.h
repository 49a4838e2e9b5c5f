// The MIME text of one email: RFC 5322 headers (From, To, Subject, Date, Message-ID, MIME-Version,
// X-Signpost-Key) and a multipart/alternative body with a text/plain and/or text/html part, each
// UTF-8 and base64 (so no line can start with "." or exceed SMTP's limits). Non-ASCII subjects are
// RFC 2047 encoded; CR and LF in header values are replaced by spaces (no header injection).
// Pure: any thread.
#pragma once

#include <string>
#include <string_view>

#include "delivery/message.h"
#include "delivery/render.h"

namespace signpost::delivery {

// The bare address of "Name <addr>" or "addr".
std::string AddressOf(std::string_view mailbox);
// The Message-ID of the message with idempotency key `key` from sender `from`:
// "<" + hex of the key's SHA-256 (32 digits) + "@" + the sender's domain + ">", so a re-send
// carries the same id and the receiving side can drop it.
std::string MessageIdFor(std::string_view key, std::string_view from);
// The full message text with CRLF line ends.
std::string BuildMime(std::string_view from, const Message& m, const Rendered& r, TimeMs now);

}  // namespace signpost::delivery
