// Request decompression: gzip, deflate (zlib and raw) and brotli round-trip; bombs stop at the
// limit without expanding; garbage and unknown encodings are refused by name.
#include "api/body_decoder.h"

#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <zlib.h>

namespace signpost::api {
namespace {

std::string Deflate(std::string_view in, int window_bits) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = in.size();
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = out.size();
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Brotli(std::string_view in) {
  size_t n = BrotliEncoderMaxCompressedSize(in.size());
  std::string out(n, '\0');
  EXPECT_TRUE(BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, in.size(),
                                    reinterpret_cast<const uint8_t*>(in.data()), &n,
                                    reinterpret_cast<uint8_t*>(out.data())));
  out.resize(n);
  return out;
}

const std::string kBody = R"({"batch":[{"type":"track","event":"Signed Up","userId":"ada"}]})";

TEST(DecodeBody, EveryEncodingRoundTrips) {
  std::string out;
  ASSERT_TRUE(DecodeBody("gzip", Deflate(kBody, 15 + 16), 1 << 20, out).ok());
  EXPECT_EQ(out, kBody);
  ASSERT_TRUE(DecodeBody("deflate", Deflate(kBody, 15), 1 << 20, out).ok());
  EXPECT_EQ(out, kBody);
  ASSERT_TRUE(DecodeBody("deflate", Deflate(kBody, -15), 1 << 20, out).ok());
  EXPECT_EQ(out, kBody);
  ASSERT_TRUE(DecodeBody("br", Brotli(kBody), 1 << 20, out).ok());
  EXPECT_EQ(out, kBody);
  ASSERT_TRUE(DecodeBody("", kBody, 1 << 20, out).ok());
  EXPECT_EQ(out, kBody);
  ASSERT_TRUE(DecodeBody("GZIP", Deflate(kBody, 15 + 16), 1 << 20, out).ok());
}

// Regression: a 1 MB gzip body holding 1 GiB raised the server's RSS to 1.25 GB.
TEST(DecodeBody, BombsStopAtTheLimitAndNameIt) {
  const std::string zeros(16 << 20, '\0');  // 16 MiB of zeros: a few KiB compressed
  for (const auto& [encoding, packed] :
       std::vector<std::pair<std::string, std::string>>{{"gzip", Deflate(zeros, 15 + 16)},
                                                        {"deflate", Deflate(zeros, 15)},
                                                        {"br", Brotli(zeros)}}) {
    std::string out;
    Status s = DecodeBody(encoding, packed, 8 << 20, out);
    ASSERT_EQ(s.code(), Code::kResourceExhausted) << encoding << ": " << s.ToString();
    EXPECT_NE(s.message().find("max_body_bytes = 8388608"), std::string::npos) << s.message();
    EXPECT_LE(out.capacity(), 8u << 20) << encoding;  // never more than the limit held
  }
}

TEST(DecodeBody, GarbageTruncatedAndUnknownEncodingsAreRefused) {
  std::string out;
  EXPECT_EQ(DecodeBody("gzip", "not gzip at all", 1 << 20, out).code(), Code::kInvalidArgument);
  std::string gz = Deflate(kBody, 15 + 16);
  EXPECT_EQ(DecodeBody("gzip", gz.substr(0, gz.size() / 2), 1 << 20, out).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(DecodeBody("br", "\xff\xff\xff\xff", 1 << 20, out).code(), Code::kInvalidArgument);
  Status s = DecodeBody("compress", "x", 1 << 20, out);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("gzip, deflate, br"), std::string::npos);
  EXPECT_FALSE(IsSupportedEncoding("zstd"));
  EXPECT_TRUE(IsSupportedEncoding("br"));
}

}  // namespace
}  // namespace signpost::api
