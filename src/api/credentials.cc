#include "api/credentials.h"

#include "api/base64.h"

namespace signpost::api {

std::string BasicAuthUser(std::string_view v) {
  constexpr std::string_view kBasic = "Basic ";
  if (v.size() <= kBasic.size() || v.substr(0, kBasic.size()) != kBasic) return "";
  std::string decoded;
  if (!Base64Decode(v.substr(kBasic.size()), decoded)) return "";
  return decoded.substr(0, decoded.find(':'));
}

std::string BearerToken(std::string_view v) {
  constexpr std::string_view kBearer = "Bearer ";
  if (v.size() <= kBearer.size() || v.substr(0, kBearer.size()) != kBearer) return "";
  return std::string(v.substr(kBearer.size()));
}

}  // namespace signpost::api
