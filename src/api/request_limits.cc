#include "api/request_limits.h"

#include <fmt/format.h>

#include <charconv>

namespace signpost::api {

Result<uint64_t> QueryInt(const Request& req, std::string_view name, uint64_t fallback,
                          uint64_t min, uint64_t max) {
  auto it = req.query.find(std::string(name));
  if (it == req.query.end()) return fallback;
  const std::string& text = it->second;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    const std::string shown = text.size() > 40 ? text.substr(0, 40) + "..." : text;
    return Status::InvalidArgument(
        fmt::format("{}: expected a whole number from {} to {}, got '{}'", name, min, max, shown));
  }
  return v;
}

Result<bool> QueryBool(const Request& req, std::string_view name) {
  if (!req.has_param(name)) return false;
  const std::string value = req.param(name);
  if (value.empty() || value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return Status::InvalidArgument(
      fmt::format("{}: expected true or false, got '{}'", name, value.substr(0, 40)));
}

Result<nlohmann::json> ParseJsonBody(std::string_view body) {
  // The parser itself is iterative; what recursed on deep input was everything after it (dump(),
  // the engine's walks of the document). Refusing deep input here keeps all of them bounded.
  // Pre-scan the nesting (strings skipped) so a deep body is refused before any value is built.
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        return Status::InvalidArgument(
            fmt::format("body: JSON nested deeper than {} levels (at byte {}); the limit is {} "
                        "nested arrays or "
                        "objects",
                        kMaxJsonDepth, i, kMaxJsonDepth));
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    // Parse again with exceptions for the position of the error.
    try {
      nlohmann::json unused = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
      return Status::InvalidArgument(fmt::format("body: not valid JSON (at byte {})", e.byte));
    } catch (const nlohmann::json::exception& e) {  // e.g. a number out of range: 2e888
      return Status::InvalidArgument(fmt::format("body: not valid JSON ({})", e.what()));
    }
    return Status::InvalidArgument("body: not valid JSON");
  }
  return doc;
}

Result<nlohmann::json> ParseJsonObject(std::string_view body, std::string_view hint) {
  auto doc = ParseJsonBody(body);
  if (!doc.ok() && doc.status().message().find("nested deeper") != std::string::npos) return doc;
  if (!doc.ok() || !doc->is_object()) return Status::InvalidArgument(std::string(hint));
  return doc;
}

}  // namespace signpost::api
