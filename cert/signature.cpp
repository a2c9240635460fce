// Signatures: Ed25519 (EdDSA, -8) with libsodium for HerdPass's own keys; ES256 (-7) and PS256
// (-37) verification with OpenSSL for keys certified by X.509 (the DCC test vectors, and any
// authority whose signing keys come in certificates).
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <cstdlib>
#include <memory>

#include "cert/detail/bytes.h"
#include "cert/hp1.h"

namespace herdpass::cert {

// --- Ed25519Signer ---

Ed25519Signer Ed25519Signer::Generate() {
  // Without libsodium's RNG no key can be made safely; nothing sensible can continue.
  if (!detail::EnsureSodium()) std::abort();
  Bytes seed(crypto_sign_SEEDBYTES);
  randombytes_buf(seed.data(), seed.size());
  auto signer = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return std::move(signer.value());
}

Result<Ed25519Signer> Ed25519Signer::FromSeed(ByteView seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return InvalidArgument("seed",
                           "an Ed25519 seed is 32 bytes, got " + std::to_string(seed.size()));
  }
  if (!detail::EnsureSodium()) return Internal("libsodium failed to initialize");
  Ed25519Signer s;
  s.seed_.assign(seed.begin(), seed.end());
  s.public_key_.resize(crypto_sign_PUBLICKEYBYTES);
  s.secret_key_.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(s.public_key_.data(), s.secret_key_.data(), s.seed_.data());
  return s;
}

std::string Ed25519Signer::kid_hex() const { return KidHex(KidOf(public_key_)); }

Bytes Ed25519Signer::Sign(ByteView message) const {
  Bytes sig(crypto_sign_BYTES);
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_key_.data());
  return sig;
}

// --- verification ---
namespace {

Status Bad(std::string_view code, std::string message) {
  return InvalidArgument(std::string(code), std::move(message));
}

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

// Leaves OpenSSL's per-thread error queue empty whatever happened, so that no stale error is
// reported later by unrelated code (TLS in http/) on this thread.
struct ClearOpensslErrors {
  ~ClearOpensslErrors() { ERR_clear_error(); }
};

// The public key of a DER X.509 certificate.
std::unique_ptr<EVP_PKEY, PkeyFree> KeyOfCertificate(ByteView der) {
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) return nullptr;
  return std::unique_ptr<EVP_PKEY, PkeyFree>(X509_get_pubkey(cert.get()));
}

// COSE carries an ECDSA signature as r || s, each 32 bytes for P-256 (RFC 9053 section 2.1);
// OpenSSL wants the DER ECDSA-Sig-Value SEQUENCE { r INTEGER, s INTEGER }.
std::optional<Bytes> EcdsaRawToDer(ByteView raw) {
  std::unique_ptr<BIGNUM, BnFree> r(BN_bin2bn(raw.data(), 32, nullptr));
  std::unique_ptr<BIGNUM, BnFree> s(BN_bin2bn(raw.data() + 32, 32, nullptr));
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  r.release();  // owned by sig from here
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Status VerifyWithOpenssl(const CoseSign1& cose, int alg, ByteView certificate_der) {
  ClearOpensslErrors clear;
  auto key = KeyOfCertificate(certificate_der);
  if (!key) return Bad(reason::kAlgorithm, "the verification key is not a DER X.509 certificate");
  const int type = EVP_PKEY_get_base_id(key.get());
  Bytes signature;
  if (alg == kAlgES256) {
    if (type != EVP_PKEY_EC) return Bad(reason::kAlgorithm, "ES256 needs an EC key");
    char group[64] = {};
    size_t group_len = 0;
    if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &group_len) != 1 ||
        std::string_view(group, group_len) != "prime256v1") {
      return Bad(reason::kAlgorithm, "ES256 needs a P-256 key");
    }
    if (cose.signature.size() != 64) {
      return Bad(reason::kSignature,
                 "an ES256 signature is 64 bytes, got " + std::to_string(cose.signature.size()));
    }
    auto der = EcdsaRawToDer(cose.signature);
    if (!der) return Bad(reason::kSignature, "ES256 signature cannot be read");
    signature = std::move(*der);
  } else {
    if (type != EVP_PKEY_RSA && type != EVP_PKEY_RSA_PSS) {
      return Bad(reason::kAlgorithm, "PS256 needs an RSA key");
    }
    // RFC 8230 section 2: RSA keys under 2048 bits must not be used.
    if (EVP_PKEY_get_bits(key.get()) < 2048) {
      return Bad(reason::kAlgorithm, "PS256 needs an RSA key of at least 2048 bits");
    }
    if (cose.signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.get()))) {
      return Bad(reason::kSignature, "PS256 signature has the wrong length");
    }
    signature = cose.signature;
  }

  const Bytes message = SigStructure(cose);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1) {
    return Bad(reason::kAlgorithm,
               "the key cannot verify " + std::string(alg == kAlgES256 ? "ES256" : "PS256"));
  }
  if (alg == kAlgPS256) {
    // RSASSA-PSS with SHA-256 and MGF1-SHA-256 (RFC 8230). The salt is 32 bytes (the digest
    // length) when made by COSE libraries; the length is recovered from the signature
    // (RSA_PSS_SALTLEN_AUTO) so that any salt a conforming signer picked verifies.
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1) {
      return Bad(reason::kAlgorithm, "the key cannot verify PS256");
    }
  }
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                       message.size()) != 1) {
    return Bad(reason::kSignature, "signature does not verify");
  }
  return Status::Ok();
}

}  // namespace

Result<VerifyKey> VerifyKeyOfCertificate(ByteView der) {
  ClearOpensslErrors clear;
  auto key = KeyOfCertificate(der);
  if (!key) return Bad(reason::kCose, "not a DER X.509 certificate with a public key");
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type == EVP_PKEY_EC) {
    char group[64] = {};
    size_t group_len = 0;
    if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &group_len) == 1 &&
        std::string_view(group, group_len) == "prime256v1") {
      return VerifyKey{kAlgES256, Bytes(der.begin(), der.end())};
    }
    return Bad(reason::kAlgorithm, "EC keys other than P-256 are not supported");
  }
  if ((type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS) && EVP_PKEY_get_bits(key.get()) >= 2048) {
    return VerifyKey{kAlgPS256, Bytes(der.begin(), der.end())};
  }
  return Bad(reason::kAlgorithm, "the certificate's key is neither P-256 nor RSA-2048 or more");
}

Status VerifySignature(const CoseSign1& cose, const VerifyKey& key) {
  if (!cose.alg) return Bad(reason::kAlgorithm, "alg is missing");
  const int64_t alg = *cose.alg;
  if (alg != kAlgEdDSA && alg != kAlgES256 && alg != kAlgPS256) {
    return Bad(reason::kAlgorithm, "alg " + std::to_string(alg) + " is not supported");
  }
  if (alg != key.alg) {
    return Bad(reason::kAlgorithm, "alg " + std::to_string(alg) + " does not match the key's alg " +
                                       std::to_string(key.alg));
  }
  if (alg != kAlgEdDSA) return VerifyWithOpenssl(cose, static_cast<int>(alg), key.key);

  if (key.key.size() != crypto_sign_PUBLICKEYBYTES) {
    return Bad(reason::kAlgorithm, "the key is not a 32-byte Ed25519 public key");
  }
  if (cose.signature.size() != crypto_sign_BYTES) {
    return Bad(reason::kSignature,
               "an EdDSA signature is 64 bytes, got " + std::to_string(cose.signature.size()));
  }
  if (!detail::EnsureSodium()) return Internal("libsodium failed to initialize");
  const Bytes message = SigStructure(cose);
  if (crypto_sign_verify_detached(cose.signature.data(), message.data(), message.size(),
                                  key.key.data()) != 0) {
    return Bad(reason::kSignature, "signature does not verify");
  }
  return Status::Ok();
}

}  // namespace herdpass::cert
