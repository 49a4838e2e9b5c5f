// Base64 decoding for HTTP Basic auth headers.
#pragma once

#include <string>
#include <string_view>

namespace signpost::api {

// Decodes standard base64 (with or without '=' padding) into `out`. Returns false on a
// character outside the alphabet; `out` is then unspecified.
bool Base64Decode(std::string_view in, std::string& out);

}  // namespace signpost::api
