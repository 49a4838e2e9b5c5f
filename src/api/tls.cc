#include "api/tls.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace signpost::api {

namespace ssl = boost::asio::ssl;

namespace {

// The file is a non-empty file this process can read (OpenSSL's own messages for these are
// cryptic).
Status Readable(std::string_view flag, const std::string& path) {
  auto fail = [&](std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("{} {}: cannot read the file ({})", flag, path, why));
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail("it is a folder");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(errno ? std::strerror(errno) : "cannot open it");
  if (in.peek() == std::ifstream::traits_type::eof()) return fail("it is empty");
  return Status::Ok();
}

// OpenSSL's reason for a failure, for the message; the thread's error queue is left empty.
std::string Reason(const boost::system::error_code& ec) {
  std::string reason = ec.message();
  ERR_clear_error();
  return reason;
}

}  // namespace

Result<std::unique_ptr<ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                     const std::string& key_file) {
  if (cert_file.empty() && key_file.empty()) return std::unique_ptr<ssl::context>();
  if (cert_file.empty() || key_file.empty())
    return Status::InvalidArgument(fmt::format(
        "{} needs {} too: pass both (the PEM certificate chain and its private key) to serve "
        "HTTPS, or neither to serve HTTP",
        cert_file.empty() ? "--tls-key" : "--tls-cert",
        cert_file.empty() ? "--tls-cert" : "--tls-key"));
  SP_RETURN_IF_ERROR(Readable("--tls-cert", cert_file));
  SP_RETURN_IF_ERROR(Readable("--tls-key", key_file));

  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression | ssl::context::single_dh_use);
  // An encrypted key must fail here, not prompt for a passphrase on the server's terminal.
  ctx->set_password_callback([](size_t, ssl::context::password_purpose) { return std::string(); });
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec)
    return Status::InvalidArgument(
        fmt::format("--tls-cert {}: not a PEM certificate ({}); expected '-----BEGIN "
                    "CERTIFICATE-----' blocks, the server's certificate first",
                    cert_file, Reason(ec)));
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec && ERR_GET_REASON(ec.value()) == X509_R_KEY_VALUES_MISMATCH) ec = {};  // said below
  if (ec)
    return Status::InvalidArgument(fmt::format(
        "--tls-key {}: not an unencrypted PEM private key ({}); an encrypted key can be "
        "decrypted with `openssl pkey -in KEY -out KEY.plain`",
        key_file, Reason(ec)));
  if (SSL_CTX_get0_privatekey(ctx->native_handle()) == nullptr ||
      SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(
        fmt::format("--tls-key {} is not the private key of the certificate in --tls-cert {}",
                    key_file, cert_file));
  }
  return ctx;
}

}  // namespace signpost::api
