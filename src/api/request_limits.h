// The checks every route shares on what a client sends: integers in the query string and JSON
// bodies. Each refuses bad input with kInvalidArgument naming the parameter (or the limit) and
// what is accepted, so no route turns a typo into a 500 and no body can make a parser recurse
// without bound.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/http_request.h"
#include "signpost/status.h"

namespace signpost::api {

// The deepest nesting of arrays and objects a JSON body may have.
inline constexpr int kMaxJsonDepth = 64;

// The query parameter `name` as a whole number in [min, max]; `fallback` when it is absent.
// Anything else (letters, a sign, a fraction, out of range, empty) is kInvalidArgument:
// "limit: expected a whole number from 0 to 100000, got 'abc'".
Result<uint64_t> QueryInt(const Request& req, std::string_view name, uint64_t fallback,
                          uint64_t min, uint64_t max);

// The query parameter `name` as a flag: absent → false; `true`, `1` or empty (`?dry_run`) →
// true; `false` or `0` → false; anything else is kInvalidArgument naming the parameter.
Result<bool> QueryBool(const Request& req, std::string_view name);

// Parses a JSON body with nesting at most kMaxJsonDepth. Errors (kInvalidArgument): malformed
// JSON (with the byte offset), or nesting deeper than the limit (naming it).
Result<nlohmann::json> ParseJsonBody(std::string_view body);
// ParseJsonBody for a body that must be one JSON object: malformed JSON or another type is
// kInvalidArgument with `hint` (what to send); too deep is the depth error.
Result<nlohmann::json> ParseJsonObject(std::string_view body, std::string_view hint);

}  // namespace signpost::api
