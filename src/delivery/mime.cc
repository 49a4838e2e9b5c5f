#include "delivery/mime.h"

#include <fmt/format.h>

#include <ctime>

#include "delivery/signing.h"

namespace signpost::delivery {

namespace {

std::string HeaderValue(std::string_view v) {
  std::string out(v);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

std::string EncodedWord(std::string_view v) {
  std::string clean = HeaderValue(v);
  bool ascii = true;
  for (char c : clean) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return clean;
  return "=?UTF-8?B?" + Base64(clean) + "?=";
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

std::string BuildMime(std::string_view from, const Message& m, const Rendered& r, TimeMs now) {
  const std::string boundary = "sp-" + Hex(Sha256(m.key)).substr(0, 24);
  std::string out;
  out += "From: " + HeaderValue(from) + "\r\n";
  out += "To: " + HeaderValue(m.to) + "\r\n";
  out += "Subject: " + EncodedWord(r.subject) + "\r\n";
  out += "Date: " + MailDate(now) + "\r\n";
  out += "Message-ID: " + MessageIdFor(m.key, from) + "\r\n";
  out += "X-Signpost-Key: " + HeaderValue(m.key) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  if (!r.text.empty()) AddPart(out, boundary, "text/plain", r.text);
  if (!r.html.empty()) AddPart(out, boundary, "text/html", r.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace signpost::delivery
