// `herdpass tls self-signed`: a local certificate authority and a server certificate signed by it,
// for a server on a LAN that has no public name (README: HTTPS on a LAN).
#pragma once

#include <string>

namespace herdpass::cli {

struct SelfSignedOptions {
  std::string host;  // the server's DNS name or IP address (the certificate's subjectAltName)
  std::string out;   // the directory the four files go to (made when missing)
  int days = 397;    // the server certificate's validity; the CA's is ten years
};

// Writes DIR/ca.crt (the CA certificate a phone installs), DIR/ca.key, DIR/server.crt and
// DIR/server.key (serve --tls-cert/--tls-key); keys are ECDSA P-256, mode 0600. Refuses to
// overwrite any of them. Returns the exit code; prints what it wrote or the error.
int TlsSelfSigned(const SelfSignedOptions& options);

}  // namespace herdpass::cli
