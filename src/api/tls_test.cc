// The TLS context of `serve --tls-cert/--tls-key`: a certificate made at test time loads, and
// every wrong pair of files is refused with a message naming the flag and the file.
#include "api/tls.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "api/test_certificate.h"

namespace signpost::api {
namespace {

namespace fs = std::filesystem;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("signpost-tls-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    ASSERT_TRUE(WriteTestCertificate(Path("cert.pem"), Path("key.pem")));
    ASSERT_TRUE(WriteTestCertificate(Path("other-cert.pem"), Path("other-key.pem")));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  // The error message of loading the pair; "" when it loads.
  std::string Error(const std::string& cert, const std::string& key) const {
    auto ctx = MakeTlsContext(cert, key);
    if (ctx.ok()) return "";
    EXPECT_EQ(ctx.status().code(), Code::kInvalidArgument);
    return ctx.status().message();
  }

  fs::path dir_;
};

TEST_F(TlsContextTest, NeitherFileIsPlainHttpAndAMatchingPairLoads) {
  auto none = MakeTlsContext("", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  auto ctx = MakeTlsContext(Path("cert.pem"), Path("key.pem"));
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  EXPECT_NE(*ctx, nullptr);
}

TEST_F(TlsContextTest, OneFlagWithoutTheOtherNamesTheMissingOne) {
  EXPECT_NE(Error(Path("cert.pem"), "").find("--tls-cert needs --tls-key too"), std::string::npos);
  EXPECT_NE(Error("", Path("key.pem")).find("--tls-key needs --tls-cert too"), std::string::npos);
}

TEST_F(TlsContextTest, UnreadableOrInvalidFilesNameTheFlagAndTheFile) {
  std::ofstream(Path("empty.pem")).flush();
  std::ofstream(Path("junk.pem")) << "not a certificate\n";
  std::string e = Error(Path("missing.pem"), Path("key.pem"));
  EXPECT_NE(e.find("--tls-cert " + Path("missing.pem") + ": cannot read the file (No such file"),
            std::string::npos)
      << e;
  e = Error(Path("cert.pem"), dir_.string());
  EXPECT_NE(e.find("--tls-key " + dir_.string() + ": cannot read the file (it is a folder)"),
            std::string::npos)
      << e;
  e = Error(Path("empty.pem"), Path("key.pem"));
  EXPECT_NE(e.find("(it is empty)"), std::string::npos) << e;
  e = Error(Path("junk.pem"), Path("key.pem"));
  EXPECT_NE(e.find("--tls-cert " + Path("junk.pem") + ": not a PEM certificate"), std::string::npos)
      << e;
  e = Error(Path("cert.pem"), Path("junk.pem"));
  EXPECT_NE(e.find("--tls-key " + Path("junk.pem") + ": not an unencrypted PEM private key"),
            std::string::npos)
      << e;
  // An encrypted key fails at once (no passphrase prompt on the server's terminal).
  {
    FILE* in = std::fopen(Path("key.pem").c_str(), "r");
    EVP_PKEY* key = PEM_read_PrivateKey(in, nullptr, nullptr, nullptr);
    std::fclose(in);
    FILE* out = std::fopen(Path("encrypted-key.pem").c_str(), "w");
    char pass[] = "secret";
    ASSERT_EQ(PEM_write_PrivateKey(out, key, EVP_aes_128_cbc(), nullptr, 0, nullptr, pass), 1);
    std::fclose(out);
    EVP_PKEY_free(key);
  }
  e = Error(Path("cert.pem"), Path("encrypted-key.pem"));
  EXPECT_NE(e.find("not an unencrypted PEM private key"), std::string::npos) << e;
  // The certificate given as the key, and the key of another certificate.
  e = Error(Path("cert.pem"), Path("cert.pem"));
  EXPECT_NE(e.find("--tls-key"), std::string::npos) << e;
  e = Error(Path("cert.pem"), Path("other-key.pem"));
  EXPECT_NE(e.find("is not the private key of the certificate in --tls-cert"), std::string::npos)
      << e;
}

}  // namespace
}  // namespace signpost::api
