// Byte encodings and the cryptographic primitives delivery needs: hex, base64 (standard for MIME
// bodies, URL-safe without padding for tracking tokens), SHA-256, HMAC-SHA256 (webhook signatures,
// tracking tokens). OpenSSL underneath. (The per-folder tracking secret's random bytes come from
// store/folder_secret.h.) Every function is pure and may be called from any thread.
#pragma once

#include <string>
#include <string_view>

namespace signpost::delivery {

// Lower-case hex of `bytes`.
std::string Hex(std::string_view bytes);
// Standard base64 with '=' padding; when `line` > 0, CRLF after every `line` characters (MIME).
std::string Base64(std::string_view bytes, size_t line = 0);
// URL-safe base64 ('-', '_') without padding.
std::string Base64Url(std::string_view bytes);
// Decodes URL-safe base64 without padding into `out`; false on any other character or a length
// that no encoding produces (`out` is then unspecified).
bool DecodeBase64Url(std::string_view text, std::string& out);
// Decodes standard base64 (CR/LF ignored, '=' padding optional); false on a bad character.
bool DecodeBase64(std::string_view text, std::string& out);
// The raw 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);
// The raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
// Compares two strings in time independent of where they differ (signature checks).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace signpost::delivery
