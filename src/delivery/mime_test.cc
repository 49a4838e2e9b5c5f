// RFC 2047 / RFC 5322 header folding and the List-Unsubscribe headers of the MIME text. The
// encoded words are decoded here independently (OpenSSL's base64, a UTF-8 check of our own), so a
// fault in the encoder cannot hide behind the same fault in a shared decoder.
#include "delivery/mime.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "delivery/test_support.h"

namespace signpost::delivery {
namespace {

// Standard base64 decoded by OpenSSL; false on bad input.
bool OpensslBase64(const std::string& in, std::string& out) {
  if (in.size() % 4 != 0) return false;
  std::string buf(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), int(in.size()));
  if (n < 0) return false;
  size_t pad = 0;
  while (pad < in.size() && in[in.size() - 1 - pad] == '=') ++pad;
  buf.resize(size_t(n) - pad);
  out = buf;
  return true;
}

// Whether `s` is whole, well-formed UTF-8 (no character cut at either end).
bool WholeUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += n;
  }
  return true;
}

// The physical lines of one header as BuildMime/TextHeader wrote it ("Name: ...\r\n ...\r\n").
std::vector<std::string> Lines(const std::string& header) {
  std::vector<std::string> out;
  for (size_t at = 0, eol; (eol = header.find("\r\n", at)) != std::string::npos; at = eol + 2)
    out.push_back(header.substr(at, eol - at));
  return out;
}

// The text of an unstructured header value made only of encoded words: every word checked
// (form, at most 75 characters, whole UTF-8 characters), decoded and joined (white space between
// encoded words is not part of the text, RFC 2047 6.2).
std::string DecodeWords(const std::string& value, std::string* problem) {
  std::string text;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    size_t end = value.find_first_of(" \t", i);
    if (end == std::string::npos) end = value.size();
    const std::string word = value.substr(i, end - i);
    i = end;
    if (word.empty()) continue;
    if (word.size() > 75) *problem += "word over 75: " + word + "\n";
    if (word.rfind("=?UTF-8?B?", 0) != 0 || word.size() < 12 ||
        word.compare(word.size() - 2, 2, "?=") != 0) {
      *problem += "not an encoded word: " + word + "\n";
      continue;
    }
    std::string bytes;
    if (!OpensslBase64(word.substr(10, word.size() - 12), bytes)) *problem += "bad base64\n";
    if (!WholeUtf8(bytes)) *problem += "a character split across words: " + word + "\n";
    text += bytes;
  }
  return text;
}

// Checks that `header` (one whole header) has lines of at most 76 characters, continuation lines
// starting with white space, and returns its unfolded value.
std::string CheckFolded(const std::string& header, const std::string& name) {
  std::vector<std::string> lines = Lines(header);
  EXPECT_FALSE(lines.empty());
  std::string value;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 76u) << "line " << i << ": " << lines[i];
    if (i == 0) {
      EXPECT_EQ(lines[0].rfind(name + ": ", 0), 0u) << lines[0];
      value = lines[0].substr(name.size() + 2);
    } else {
      EXPECT_TRUE(!lines[i].empty() && (lines[i][0] == ' ' || lines[i][0] == '\t')) << lines[i];
      value += lines[i];  // unfolding removes the CRLF only
    }
  }
  EXPECT_EQ(header.size() >= 2 ? header.substr(header.size() - 2) : "", "\r\n");
  return value;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(MimeFoldingTest, LongJapaneseAndEmojiSubjectsFoldIntoEncodedWordsThatDecodeBack) {
  const std::vector<std::string> subjects = {
      Repeat("ご注文の商品を発送しました。お届けは明日の予定です。", 6),
      Repeat("🎉🚀✨🛒💳 ", 20),
      "Ihr Warenkorb wartet, Jürgen: " + Repeat("Größe ändern, ", 8) + "👟",
      Repeat("é", 200),
      Repeat("a", 5) + Repeat("漢", 1) + Repeat("b", 100),
      "ß"};
  for (const std::string& subject : subjects) {
    SCOPED_TRACE(subject);
    const std::string header = TextHeader("Subject", subject);
    const std::string value = CheckFolded(header, "Subject");
    std::string problem;
    EXPECT_EQ(DecodeWords(value, &problem), subject);
    EXPECT_EQ(problem, "");
  }
  // At the budget's edge: a 4-byte character never straddles two words.
  for (int pad = 0; pad < 8; ++pad) {
    const std::string subject = Repeat("a", pad) + Repeat("😀", 40);
    std::string problem;
    EXPECT_EQ(DecodeWords(CheckFolded(TextHeader("Subject", subject), "Subject"), &problem),
              subject);
    EXPECT_EQ(problem, "") << pad;
  }
}

TEST(MimeFoldingTest, LongAsciiSubjectsFoldAtWhiteSpaceAndUnfoldToTheOriginal) {
  const std::string subject =
      "Your weekly digest: twelve new articles about journeys, goals, funnels and the people "
      "who reached them, plus three tips for better subject lines";
  const std::string header = TextHeader("Subject", subject);
  EXPECT_GT(Lines(header).size(), 1u) << "folded";
  EXPECT_EQ(CheckFolded(header, "Subject"), subject) << "unfolding gives the text back";
  EXPECT_EQ(header.find("=?"), std::string::npos) << "plain ASCII stays readable";
  EXPECT_EQ(TextHeader("Subject", "Hello"), "Subject: Hello\r\n");
  // Text a reader would take for an encoded word, and a word no line can hold, are encoded.
  for (const std::string& s : {std::string("=?UTF-8?B?SGk=?= sneaky"), Repeat("z", 90),
                               std::string("tab\there, bell\a")}) {
    std::string problem;
    EXPECT_EQ(DecodeWords(CheckFolded(TextHeader("Subject", s), "Subject"), &problem), s);
    EXPECT_EQ(problem, "");
  }
  // Line breaks never start a new header.
  const std::string injected = TextHeader("Subject", Repeat("word ", 30) + "\r\nBcc: x@y.test");
  EXPECT_EQ(injected.find("\r\nBcc"), std::string::npos);
}

TEST(MimeFoldingTest, DisplayNamesAreEncodedOrQuotedAndTheAddressKept) {
  std::string header = MailboxHeader("From", "Café Müller 🍰 <shop@example.test>");
  std::string value = CheckFolded(header, "From");
  ASSERT_NE(value.find(" <shop@example.test>"), std::string::npos) << header;
  std::string problem;
  EXPECT_EQ(DecodeWords(value.substr(0, value.find(" <shop@")), &problem), "Café Müller 🍰");
  EXPECT_EQ(problem, "");
  EXPECT_EQ(MailboxHeader("From", "Shop, Inc. <a@b.test>"), "From: \"Shop, Inc.\" <a@b.test>\r\n");
  EXPECT_EQ(MailboxHeader("From", "Shop <a@b.test>"), "From: Shop <a@b.test>\r\n");
  EXPECT_EQ(MailboxHeader("From", "a@b.test"), "From: a@b.test\r\n");
  const std::string long_name = Repeat("Ünïcödé ", 12) + "<news@example.test>";
  value = CheckFolded(MailboxHeader("From", long_name), "From");
  EXPECT_EQ(DecodeWords(value.substr(0, value.find(" <news@")), &problem),
            Repeat("Ünïcödé ", 11) + "Ünïcödé");
  EXPECT_EQ(problem, "");
}

TEST(MimeFoldingTest, AMarketingMessageCarriesOneClickListUnsubscribeHeaders) {
  Message m;
  m.key = "j/1/9/1/s";
  m.to = "ada@x.test";
  Rendered r;
  r.subject = Repeat("お知らせ ", 20);
  r.text = "hello";
  const std::string url = "https://mail.example.test/t/u/" + Repeat("A", 300) + ".sig";
  r.unsubscribe_url = url;
  std::string mime = BuildMime("Shop <shop@example.test>", m, r, 0);
  EXPECT_EQ(testing::MimeHeader(mime, "List-Unsubscribe"), "<" + url + ">");
  EXPECT_EQ(testing::MimeHeader(mime, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
  r.unsubscribe_mailto = "mailto:unsub@example.test?subject=unsubscribe%20tok";
  mime = BuildMime("Shop <shop@example.test>", m, r, 0);
  EXPECT_EQ(testing::MimeHeader(mime, "List-Unsubscribe"),
            "<mailto:unsub@example.test?subject=unsubscribe%20tok>, <" + url + ">")
      << mime;
  // Every header line but the URL's own is within 76; none reaches SMTP's 998.
  const std::string headers = mime.substr(0, mime.find("\r\n\r\n") + 2);
  for (const std::string& line : Lines(headers)) {
    EXPECT_LE(line.size(), 998u);
    if (line.find(url) == std::string::npos) {
      EXPECT_LE(line.size(), 76u) << line;
    }
  }
  std::string problem;
  EXPECT_EQ(DecodeWords(testing::MimeHeader(mime, "Subject"), &problem), r.subject);
  EXPECT_EQ(problem, "");
  r.unsubscribe_url.clear();
  r.unsubscribe_mailto.clear();
  mime = BuildMime("Shop <shop@example.test>", m, r, 0);
  EXPECT_EQ(mime.find("List-Unsubscribe"), std::string::npos) << "transactional: none";
}

}  // namespace
}  // namespace signpost::delivery
