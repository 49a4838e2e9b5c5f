#include "api/body_decoder.h"

#include <brotli/decode.h>
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace signpost::api {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

constexpr size_t kStep = 64 * 1024;  // the decoder writes at most this much per call

Status TooLarge(size_t max_bytes) {
  return Status::ResourceExhausted(fmt::format(
      "the decompressed body is over the limit max_body_bytes = {} bytes ({} MiB): send smaller "
      "batches",
      max_bytes, max_bytes >> 20));
}

// Appends `n` decoded bytes to `out` unless that passes the limit. The capacity grows by doubling
// but never past the limit (for a power-of-two limit), so a bomb costs at most `max_bytes`.
Status Append(std::string& out, const char* data, size_t n, size_t max_bytes) {
  if (out.size() + n > max_bytes) return TooLarge(max_bytes);
  if (out.capacity() < out.size() + n)
    out.reserve(std::min(max_bytes, std::max(out.size() + n, out.capacity() * 2)));
  out.append(data, n);
  return Status::Ok();
}

// zlib: gzip (window bits 15 + 16), zlib-wrapped deflate (15), or raw deflate (-15, what some
// clients send as "deflate").
Status Inflate(std::string_view body, int window_bits, size_t max_bytes, std::string& out) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) return Status::Internal("zlib: cannot initialise");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  out.clear();
  std::vector<char> scratch(kStep);
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(scratch.data());
    z.avail_out = static_cast<uInt>(scratch.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    SP_RETURN_IF_ERROR(Append(out, scratch.data(), scratch.size() - z.avail_out, max_bytes));
    if (rc == Z_STREAM_END) return Status::Ok();
    if (rc == Z_BUF_ERROR && z.avail_in == 0)
      return Status::InvalidArgument("body: the compressed body ends early (truncated)");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return Status::InvalidArgument(
          fmt::format("body: not valid compressed data ({})", z.msg ? z.msg : "zlib error"));
  }
}

Status Unbrotli(std::string_view body, size_t max_bytes, std::string& out) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (!state) return Status::Internal("brotli: cannot initialise");
  size_t avail_in = body.size();
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(body.data());
  out.clear();
  std::vector<char> scratch(kStep);
  for (;;) {
    size_t avail_out = scratch.size();
    uint8_t* next_out = reinterpret_cast<uint8_t*>(scratch.data());
    const BrotliDecoderResult rc = BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in,
                                                                 &avail_out, &next_out, nullptr);
    SP_RETURN_IF_ERROR(Append(out, scratch.data(), scratch.size() - avail_out, max_bytes));
    switch (rc) {
      case BROTLI_DECODER_RESULT_SUCCESS:
        return Status::Ok();
      case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
        break;
      case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
        return Status::InvalidArgument("body: the brotli body ends early (truncated)");
      case BROTLI_DECODER_RESULT_ERROR:
        return Status::InvalidArgument(
            fmt::format("body: not valid brotli data ({})",
                        BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get()))));
    }
  }
}

}  // namespace

bool IsSupportedEncoding(std::string_view encoding) {
  const std::string e = Lower(encoding);
  return e.empty() || e == "identity" || e == "gzip" || e == "x-gzip" || e == "deflate" ||
         e == "br";
}

Status DecodeBody(std::string_view encoding, std::string_view body, size_t max_bytes,
                  std::string& out) {
  const std::string e = Lower(encoding);
  if (e.empty() || e == "identity") {
    if (body.size() > max_bytes) return TooLarge(max_bytes);
    out.assign(body);
    return Status::Ok();
  }
  if (e == "gzip" || e == "x-gzip") return Inflate(body, 15 + 16, max_bytes, out);
  if (e == "deflate") {
    // RFC 9110's "deflate" is the zlib format; a zlib stream starts with a header byte whose low
    // nibble is 8 (CM = deflate). Otherwise treat it as raw deflate.
    const bool zlib_wrapped = !body.empty() && (static_cast<unsigned char>(body[0]) & 0x0f) == 8;
    return Inflate(body, zlib_wrapped ? 15 : -15, max_bytes, out);
  }
  if (e == "br") return Unbrotli(body, max_bytes, out);
  return Status::InvalidArgument(fmt::format(
      "Content-Encoding '{}' is not supported: send the body as it is or encoded with one of {}",
      encoding.substr(0, 40), kSupportedEncodings));
}

}  // namespace signpost::api
