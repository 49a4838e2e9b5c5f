// Tests only: a self-signed certificate for 127.0.0.1 (an EC P-256 key, valid from an hour ago
// for a day), made with OpenSSL at test time and written as PEM files, so no key is committed and
// the TLS tests need no `openssl` binary.
//
// Thread-safety: a pure function of its arguments and the file system.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string>

namespace signpost::api {

// Writes a fresh key to `key_path` and its certificate (CN and subjectAltName 127.0.0.1) to
// `cert_path`. Returns false when OpenSSL or a file write fails.
inline bool WriteTestCertificate(const std::string& cert_path, const std::string& key_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return false;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> san(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1"),
      X509_EXTENSION_free);
  if (!san || X509_add_ext(cert.get(), san.get(), -1) != 1) return false;
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return false;
  auto write = [](const std::string& path, auto&& pem) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    const bool ok = pem(f) == 1;
    return std::fclose(f) == 0 && ok;
  };
  return write(cert_path, [&](FILE* f) { return PEM_write_X509(f, cert.get()); }) &&
         write(key_path, [&](FILE* f) {
           return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
         });
}

}  // namespace signpost::api
