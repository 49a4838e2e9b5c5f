// Byte encodings used in keys and values: big-endian fixed integers (so keys sort numerically),
// LEB128 varints, and length-prefixed strings (so a string field in a key can hold any byte and
// one key's prefix is never another key's field).
// All functions are pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "signpost/clock.h"

namespace signpost::store {

// Appends `v` as 8 bytes, most significant first.
void PutFixed64BE(std::string& out, uint64_t v);
// Reads 8 big-endian bytes at `p` (the caller guarantees 8 readable bytes).
uint64_t DecodeFixed64BE(const char* p);
// A u64 key: 8 big-endian bytes.
std::string U64Key(uint64_t v);

// Appends a time so that byte order equals numeric order, negatives included.
void PutOrderedTime(std::string& out, TimeMs t);
TimeMs DecodeOrderedTime(const char* p);

// Appends `v` as a LEB128 varint (1 to 10 bytes).
void PutVarint64(std::string& out, uint64_t v);
// Appends a signed value as a zig-zag varint (small magnitudes take few bytes).
void PutSignedVarint64(std::string& out, int64_t v);
// Appends varint(size) then the bytes of `s`.
void PutLengthPrefixed(std::string& out, std::string_view s);

// Reads from the front of `in`, advancing it. Each returns false (leaving `in` unspecified) when
// the input is truncated or malformed.
bool GetVarint64(std::string_view& in, uint64_t& v);
bool GetSignedVarint64(std::string_view& in, int64_t& v);
bool GetLengthPrefixed(std::string_view& in, std::string_view& s);
bool GetFixed64BE(std::string_view& in, uint64_t& v);

}  // namespace signpost::store
