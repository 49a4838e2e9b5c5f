// TLS for the server (`serve --tls-cert FILE --tls-key FILE`): the OpenSSL server context built
// from a PEM certificate chain and its private key, TLS 1.2 as the oldest version. With a context,
// the server speaks only HTTPS on its port (server.cc: the same session over a TLS stream, the
// handshake bounded by ServerOptions::tls_handshake_timeout_ms).
//
// Thread-safety: MakeTlsContext may run on any thread; the context it returns is configured once
// and then shared read-only by every connection.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "signpost/status.h"

namespace signpost::api {

// The server context of `cert_file` (PEM chain, the server's certificate first) and `key_file`
// (its unencrypted PEM private key). Both empty → nullptr (plain HTTP). Errors (kInvalidArgument,
// naming the flag, the file and the fix): only one of the two given, a file that cannot be read,
// not PEM, an encrypted key, or a key that is not the certificate's.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                                  const std::string& key_file);

}  // namespace signpost::api
