#include "cli/tls.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>

#include "cli/commands.h"

namespace herdpass::cli {
namespace {

namespace fs = std::filesystem;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

std::string OpenSslError() {
  char buf[256] = "unknown OpenSSL error";
  if (unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

Result<Key> NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return Internal("cannot make an EC key: " + OpenSslError());
  return key;
}

// Adds an extension given in OpenSSL's configuration syntax ("critical,CA:TRUE").
Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return InvalidArgument("host", "bad certificate extension " + value);
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return Internal("cannot add a certificate extension: " + OpenSslError());
  return Status();
}

Result<Cert> MakeCert(EVP_PKEY* key, const std::string& common_name, X509* issuer, long days) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return Internal("no randomness: " + OpenSslError());
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 60 * 60);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("HerdPass"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  return cert;
}

Status Sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) == 0) return Internal("cannot sign: " + OpenSslError());
  return Status();
}

Status WriteFile(const fs::path& path, bool secret, const std::function<int(FILE*)>& write) {
  FILE* f = std::fopen(path.c_str(), "wx");  // x: never overwrite
  if (f == nullptr) {
    return FailedPrecondition("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  if (secret) fchmod(fileno(f), 0600);
  const int ok = write(f);
  if (std::fclose(f) != 0 || ok != 1) return Internal("cannot write " + path.string());
  return Status();
}

Status Run(const SelfSignedOptions& o) {
  if (o.host.empty()) return InvalidArgument("host", "--host names the server (DNS name or IP)");
  unsigned char ip[16];
  const bool is_ip =
      inet_pton(AF_INET, o.host.c_str(), ip) == 1 || inet_pton(AF_INET6, o.host.c_str(), ip) == 1;
  if (!is_ip) {
    for (char ch : o.host) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
      if (!ok) {
        return InvalidArgument(
            "host", "--host must be a DNS name or an IP address, got \"" + o.host + "\"");
      }
    }
  }
  if (o.days < 1 || o.days > 825) return InvalidArgument("days", "--days must be 1..825");
  const fs::path dir(o.out);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FailedPrecondition("cannot create " + o.out + ": " + ec.message());
  for (const char* name : {"ca.crt", "ca.key", "server.crt", "server.key"}) {
    if (fs::exists(dir / name)) {
      return FailedPrecondition((dir / name).string() +
                                " exists already; choose another --out or remove it");
    }
  }

  HP_ASSIGN_OR_RETURN(Key ca_key, NewKey());
  HP_ASSIGN_OR_RETURN(Cert ca,
                      MakeCert(ca_key.get(), "HerdPass local CA for " + o.host, nullptr, 3650));
  HP_RETURN_IF_ERROR(
      AddExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  HP_RETURN_IF_ERROR(
      AddExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  HP_RETURN_IF_ERROR(AddExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash"));
  HP_RETURN_IF_ERROR(Sign(ca.get(), ca_key.get()));

  HP_ASSIGN_OR_RETURN(Key key, NewKey());
  HP_ASSIGN_OR_RETURN(Cert server, MakeCert(key.get(), o.host, ca.get(), o.days));
  HP_RETURN_IF_ERROR(
      AddExtension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE"));
  HP_RETURN_IF_ERROR(
      AddExtension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature"));
  HP_RETURN_IF_ERROR(AddExtension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth"));
  HP_RETURN_IF_ERROR(AddExtension(server.get(), ca.get(), NID_subject_key_identifier, "hash"));
  HP_RETURN_IF_ERROR(AddExtension(server.get(), ca.get(), NID_authority_key_identifier, "keyid"));
  HP_RETURN_IF_ERROR(AddExtension(server.get(), ca.get(), NID_subject_alt_name,
                                  (is_ip ? "IP:" : "DNS:") + o.host));
  HP_RETURN_IF_ERROR(Sign(server.get(), ca_key.get()));

  auto cert_writer = [](X509* c) { return [c](FILE* f) { return PEM_write_X509(f, c); }; };
  auto key_writer = [](EVP_PKEY* k) {
    return
        [k](FILE* f) { return PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr); };
  };
  HP_RETURN_IF_ERROR(WriteFile(dir / "ca.key", true, key_writer(ca_key.get())));
  HP_RETURN_IF_ERROR(WriteFile(dir / "ca.crt", false, cert_writer(ca.get())));
  HP_RETURN_IF_ERROR(WriteFile(dir / "server.key", true, key_writer(key.get())));
  HP_RETURN_IF_ERROR(WriteFile(dir / "server.crt", false, cert_writer(server.get())));
  std::cout << "wrote " << (dir / "ca.crt").string() << " (install it on the phones: README)\n"
            << "wrote " << (dir / "ca.key").string() << " (keep it off the server)\n"
            << "wrote " << (dir / "server.crt").string() << " and " << (dir / "server.key").string()
            << " for " << o.host << ", valid " << o.days << " days\n"
            << "serve with: herdpass serve --tls-cert " << (dir / "server.crt").string()
            << " --tls-key " << (dir / "server.key").string() << "\n";
  return Status();
}

}  // namespace

int TlsSelfSigned(const SelfSignedOptions& options) {
  Status s = Run(options);
  return s.ok() ? 0 : Fail(s);
}

}  // namespace herdpass::cli
