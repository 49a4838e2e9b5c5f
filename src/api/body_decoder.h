// Request body decompression (Content-Encoding gzip, deflate, br) with a bound on the decoded
// size: the decoder streams and stops as soon as the output would pass the limit, so a small
// compressed body can never expand into a large allocation.
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "signpost/status.h"

namespace signpost::api {

// The Content-Encoding values DecodeBody accepts, for error messages.
inline constexpr std::string_view kSupportedEncodings = "gzip, deflate, br, identity";

// True when `encoding` (a Content-Encoding value, case-insensitive, "" = none) is one DecodeBody
// accepts.
bool IsSupportedEncoding(std::string_view encoding);

// Decodes `body` sent with Content-Encoding `encoding` ("" or "identity": copied as is) into
// `out`, at most `max_bytes` bytes. Errors: kResourceExhausted when the decoded body is larger
// than `max_bytes` (naming the limit), kInvalidArgument when the body is not valid for its
// encoding or the encoding is unsupported (naming the supported ones).
Status DecodeBody(std::string_view encoding, std::string_view body, size_t max_bytes,
                  std::string& out);

}  // namespace signpost::api
