#include "delivery/mime.h"

#include <fmt/format.h>

#include <ctime>
#include <utility>
#include <vector>

#include "delivery/signing.h"

namespace signpost::delivery {

namespace {

std::string HeaderValue(std::string_view v) {
  std::string out(v);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// A value cut into (white space before, word) pieces; folding happens only before a piece with
// white space.
using Pieces = std::vector<std::pair<std::string, std::string>>;

Pieces SplitAtSpace(std::string_view v) {
  Pieces out;
  size_t i = 0;
  while (i < v.size()) {
    size_t word = i;
    while (word < v.size() && IsSpace(v[word])) ++word;
    size_t end = word;
    while (end < v.size() && !IsSpace(v[end])) ++end;
    out.emplace_back(std::string(v.substr(i, word - i)), std::string(v.substr(word, end - word)));
    i = end;
  }
  return out;
}

// "Name: " + the pieces, with CRLF inserted before the white space of a piece that would make the
// line longer than kHeaderLineLimit (RFC 5322 2.2.3), and the final CRLF.
std::string Fold(std::string_view name, const Pieces& pieces) {
  std::string out = std::string(name) + ":";
  size_t line = out.size();
  bool first = true;
  for (const auto& [space, word] : pieces) {
    std::string_view ws = first && space.empty() ? std::string_view(" ") : std::string_view(space);
    if (!first && !ws.empty() && !word.empty() &&
        line + ws.size() + word.size() > kHeaderLineLimit) {
      out += "\r\n";
      line = 0;
    }
    out += ws;
    out += word;
    line += ws.size() + word.size();
    first = false;
  }
  if (first) out += " ";
  return out + "\r\n";
}

// The byte length of the UTF-8 character starting with `lead` (1 for a byte that starts none, so
// bad input still advances).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xf0 && lead < 0xf8) return 4;
  if (lead >= 0xe0) return lead < 0xf0 ? 3 : 1;
  if (lead >= 0xc0) return 2;
  return 1;
}

constexpr std::string_view kWordStart = "=?UTF-8?B?";
constexpr std::string_view kWordEnd = "?=";
// An encoded word is at most 75 characters (RFC 2047 2).
constexpr size_t kMaxEncodedWord = 75;

// The most UTF-8 bytes one B-encoded word of at most `width` characters holds.
size_t BytesFor(size_t width) {
  const size_t overhead = kWordStart.size() + kWordEnd.size();
  return width <= overhead ? 0 : (width - overhead) / 4 * 3;
}

// `text` as RFC 2047 encoded words, each whole UTF-8 characters: the first at most
// `first_width` characters wide, the others at most 75, one space between them.
Pieces EncodedWords(std::string_view text, size_t first_width) {
  Pieces out;
  size_t budget = BytesFor(std::min(first_width, kMaxEncodedWord));
  if (budget < 4) budget = BytesFor(kMaxEncodedWord);  // the word then starts a line of its own
  size_t i = 0;
  while (i < text.size()) {
    size_t end = i;
    while (end < text.size()) {
      size_t n = std::min(Utf8Length(static_cast<unsigned char>(text[end])), text.size() - end);
      if (end + n - i > budget) break;
      end += n;
    }
    out.emplace_back(
        out.empty() ? "" : " ",
        std::string(kWordStart) + Base64(text.substr(i, end - i)) + std::string(kWordEnd));
    i = end;
    budget = BytesFor(kMaxEncodedWord);
  }
  return out;
}

// Whether unstructured `text` must be written as encoded words: not plain printable ASCII, "=?"
// (which a reader would take for an encoded word), or a word no line could hold.
bool NeedsEncoding(std::string_view name, std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x7f || (u < 0x20 && c != '\t')) return true;
  }
  if (text.find("=?") != std::string_view::npos) return true;
  Pieces pieces = SplitAtSpace(text);
  for (size_t i = 0; i < pieces.size(); ++i) {
    const size_t room = i == 0 ? kHeaderLineLimit - name.size() - 2 : kHeaderLineLimit - 1;
    if (pieces[i].second.size() > room) return true;
  }
  return false;
}

// RFC 5322 date of `t` in UTC.
std::string MailDate(TimeMs t) {
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

void AddPart(std::string& out, std::string_view boundary, std::string_view type,
             std::string_view content) {
  out += fmt::format(
      "--{}\r\nContent-Type: {}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
      boundary, type);
  out += Base64(content, 76);
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string AddressOf(std::string_view mailbox) {
  size_t lt = mailbox.find('<');
  if (lt == std::string_view::npos) return std::string(mailbox);
  size_t gt = mailbox.find('>', lt);
  return std::string(
      mailbox.substr(lt + 1, gt == std::string_view::npos ? mailbox.npos : gt - lt - 1));
}

std::string MessageIdFor(std::string_view key, std::string_view from) {
  std::string addr = AddressOf(from);
  size_t at = addr.find('@');
  std::string domain = at == std::string::npos ? "signpost.invalid" : addr.substr(at + 1);
  return "<" + Hex(Sha256(key)).substr(0, 32) + "@" + HeaderValue(domain) + ">";
}

std::string TextHeader(std::string_view name, std::string_view value) {
  const std::string clean = HeaderValue(value);
  if (!NeedsEncoding(name, clean)) return Fold(name, SplitAtSpace(clean));
  return Fold(name, EncodedWords(clean, kHeaderLineLimit - name.size() - 2));
}

std::string FoldedHeader(std::string_view name, std::string_view value) {
  return Fold(name, SplitAtSpace(HeaderValue(value)));
}

std::string MailboxHeader(std::string_view name, std::string_view mailbox) {
  const std::string clean = HeaderValue(mailbox);
  const size_t lt = clean.find('<');
  std::string_view display = lt == std::string::npos
                                 ? std::string_view()
                                 : TrimSpace(std::string_view(clean).substr(0, lt));
  if (display.empty()) return FoldedHeader(name, TrimSpace(clean));
  const std::string addr = "<" + AddressOf(clean) + ">";
  const bool quoted = display.size() >= 2 && display.front() == '"' && display.back() == '"';
  Pieces pieces;
  if (NeedsEncoding(name, display)) {
    if (quoted) display = display.substr(1, display.size() - 2);
    pieces = EncodedWords(display, kHeaderLineLimit - name.size() - 2);
  } else if (!quoted && display.find_first_of("()<>[]:;@\\,.\"") != std::string_view::npos) {
    std::string q = "\"";
    for (char c : display) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    pieces = SplitAtSpace(q + "\"");
  } else {
    pieces = SplitAtSpace(display);
  }
  pieces.emplace_back(" ", addr);
  return Fold(name, pieces);
}

std::string BuildMime(std::string_view from, const Message& m, const Rendered& r, TimeMs now) {
  const std::string boundary = "sp-" + Hex(Sha256(m.key)).substr(0, 24);
  std::string out;
  out += MailboxHeader("From", from);
  out += FoldedHeader("To", m.to);
  out += TextHeader("Subject", r.subject);
  out += "Date: " + MailDate(now) + "\r\n";
  out += "Message-ID: " + MessageIdFor(m.key, from) + "\r\n";
  out += FoldedHeader("X-Signpost-Key", m.key);
  if (!r.unsubscribe_url.empty()) {
    std::string links = "<" + r.unsubscribe_url + ">";
    if (!r.unsubscribe_mailto.empty()) links = "<" + r.unsubscribe_mailto + ">, " + links;
    out += FoldedHeader("List-Unsubscribe", links);
    out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  if (!r.text.empty()) AddPart(out, boundary, "text/plain", r.text);
  if (!r.html.empty()) AddPart(out, boundary, "text/html", r.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace signpost::delivery
