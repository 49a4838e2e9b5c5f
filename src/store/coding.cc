#include "store/coding.h"

namespace signpost::store {

void PutFixed64BE(std::string& out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out.append(buf, 8);
}

uint64_t DecodeFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string U64Key(uint64_t v) {
  std::string key;
  PutFixed64BE(key, v);
  return key;
}

void PutOrderedTime(std::string& out, TimeMs t) {
  PutFixed64BE(out, static_cast<uint64_t>(t) ^ (uint64_t{1} << 63));
}

TimeMs DecodeOrderedTime(const char* p) {
  return static_cast<TimeMs>(DecodeFixed64BE(p) ^ (uint64_t{1} << 63));
}

void PutVarint64(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutSignedVarint64(std::string& out, int64_t v) {
  PutVarint64(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutLengthPrefixed(std::string& out, std::string_view s) {
  PutVarint64(out, s.size());
  out.append(s);
}

bool GetVarint64(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool GetSignedVarint64(std::string_view& in, int64_t& v) {
  uint64_t u = 0;
  if (!GetVarint64(in, u)) return false;
  v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  return true;
}

bool GetLengthPrefixed(std::string_view& in, std::string_view& s) {
  uint64_t n = 0;
  if (!GetVarint64(in, n) || n > in.size()) return false;
  s = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

bool GetFixed64BE(std::string_view& in, uint64_t& v) {
  if (in.size() < 8) return false;
  v = DecodeFixed64BE(in.data());
  in.remove_prefix(8);
  return true;
}

}  // namespace signpost::store
