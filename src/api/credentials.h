// Reading the credentials of an Authorization header: the write key (HTTP Basic username) and the
// admin token (Bearer). Nothing else carries them: a token in the query string is ignored (it
// would end up in logs and browser history).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace signpost::api {

// The username of an HTTP Basic Authorization header value ("" when absent or malformed).
std::string BasicAuthUser(std::string_view authorization);
// The token of an `Authorization: Bearer <token>` header value ("" when absent or another scheme).
std::string BearerToken(std::string_view authorization);

}  // namespace signpost::api
