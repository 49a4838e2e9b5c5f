#include "delivery/signing.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <array>

namespace signpost::delivery {

namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Encodes with `alphabet`; pads with '=' when `pad`.
std::string Encode(std::string_view in, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v =
        uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v =
        uint32_t(uint8_t(in[i])) << 16 | (rest == 2 ? uint32_t(uint8_t(in[i + 1])) << 8 : 0);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(rest == 1 ? 2 : 1, '=');
  }
  return out;
}

// Decodes characters of `alphabet` (skipping `skip` characters, stopping at '='); false on others.
bool Decode(std::string_view in, std::string_view alphabet, std::string_view skip,
            std::string& out) {
  std::array<int, 256> value;
  value.fill(-1);
  for (size_t i = 0; i < alphabet.size(); ++i) value[uint8_t(alphabet[i])] = int(i);
  out.clear();
  uint32_t acc = 0;
  int bits = 0, count = 0;
  for (char c : in) {
    if (skip.find(c) != std::string_view::npos) continue;
    if (c == '=') break;
    int v = value[uint8_t(c)];
    if (v < 0) return false;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    ++count;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  // A canonical encoding leaves no stray bits: otherwise two texts would decode the same (a
  // signature could be altered in its last character and still verify).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return false;
  return count % 4 != 1;
}

}  // namespace

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    out += kDigits[uint8_t(c) >> 4];
    out += kDigits[uint8_t(c) & 15];
  }
  return out;
}

std::string Base64(std::string_view bytes, size_t line) {
  std::string flat = Encode(bytes, kStd, true);
  if (line == 0) return flat;
  std::string out;
  for (size_t i = 0; i < flat.size(); i += line) {
    out.append(flat, i, line);
    out += "\r\n";
  }
  return out;
}

std::string Base64Url(std::string_view bytes) { return Encode(bytes, kUrl, false); }

bool DecodeBase64Url(std::string_view text, std::string& out) {
  if (text.find('=') != std::string_view::npos) return false;
  return Decode(text, kUrl, "", out);
}

bool DecodeBase64(std::string_view text, std::string& out) {
  return Decode(text, kStd, "\r\n", out);
}

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= uint8_t(a[i]) ^ uint8_t(b[i]);
  return diff == 0;
}

}  // namespace signpost::delivery
