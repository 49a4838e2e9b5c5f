// The MIME text of one email: RFC 5322 headers (From, To, Subject, Date, Message-ID, MIME-Version,
// X-Signpost-Key, and for marketing mail List-Unsubscribe / List-Unsubscribe-Post) and a
// multipart/alternative body with a text/plain and/or text/html part, each UTF-8 and base64 (so no
// line can start with "." or exceed SMTP's limits). CR and LF in header values are replaced by
// spaces (no header injection). Header lines are folded (RFC 5322 2.2.3) to at most 76 characters
// where the value allows it: unstructured text (the subject, a display name) that is not plain
// ASCII, or holds a control character, "=?" or a word too long to fold, is written as RFC 2047
// encoded words (`=?UTF-8?B?...?=`, each at most 75 characters, split between UTF-8 characters,
// never inside one); other values fold at their white space. Pure: any thread.
#pragma once

#include <string>
#include <string_view>

#include "delivery/message.h"
#include "delivery/render.h"

namespace signpost::delivery {

// The longest header line FoldedHeader writes when the value can be folded (RFC 2047 and 5322
// recommend 76 and 78).
inline constexpr size_t kHeaderLineLimit = 76;

// The bare address of "Name <addr>" or "addr".
std::string AddressOf(std::string_view mailbox);
// The Message-ID of the message with idempotency key `key` from sender `from`:
// "<" + hex of the key's SHA-256 (32 digits) + "@" + the sender's domain + ">", so a re-send
// carries the same id and the receiving side can drop it.
std::string MessageIdFor(std::string_view key, std::string_view from);
// "Name: value\r\n" for unstructured text `value` (a subject): encoded words when it needs them
// (see above), else folded at white space; every line at most kHeaderLineLimit characters.
std::string TextHeader(std::string_view name, std::string_view value);
// "Name: value\r\n" for a structured value (addresses, URLs in <>): CR/LF replaced, folded only at
// the white space it already has (a word longer than a line stays whole, up to SMTP's 998).
std::string FoldedHeader(std::string_view name, std::string_view value);
// "Name: mailbox\r\n" for "Display Name <addr>" or "addr": the display name as encoded words when
// it is not plain ASCII (or quoted when it holds specials), the address as it is.
std::string MailboxHeader(std::string_view name, std::string_view mailbox);
// The full message text with CRLF line ends. When r.unsubscribe_url is set, the message carries
// `List-Unsubscribe: <mailto:...>, <url>` (RFC 2369; the mailto only with r.unsubscribe_mailto)
// and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
std::string BuildMime(std::string_view from, const Message& m, const Rendered& r, TimeMs now);

}  // namespace signpost::delivery
