// cert/: the HP1 certificate format (DESIGN.md section 6, spec in docs/hp1-format.md).
//
//   "HP1:" + base45( zlib( COSE_Sign1( CWT{iss, iat, exp, cti, -65537: certificate} ) ) )
//
// Each stage has its own function so that tests can check it alone against outside test vectors
// (../shared/dcc-testdata: the EU DCC "HC1:" pipeline is the same). Decoders take outside input:
// they never crash, cap every size (inflated bytes, CBOR nesting, array lengths) and say what was
// wrong in a Status whose `field` is one of the Reason codes below.
//
// Crypto: Ed25519 (COSE alg -8, EdDSA) with libsodium for HerdPass's own keys; ES256 (-7) and PS256
// (-37) verification with OpenSSL, for authorities whose keys are certified by X.509.
//
// Thread-safe: free functions over values; Ed25519Signer is immutable after construction.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "domain/certificate.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass::cert {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// Why a certificate is refused. Stable codes: the API's `reasons[].code`, the CLI's output, and the
// `field` of every Status that cert/ returns for outside input.
namespace reason {
inline constexpr std::string_view kPrefix = "prefix";            // not "HP1:" (or "HC1:" in tests)
inline constexpr std::string_view kBase45 = "base45";            // not valid base45
inline constexpr std::string_view kCompression = "compression";  // not zlib, broken, or too big
inline constexpr std::string_view kCbor = "cbor";                // not well-formed CBOR, too deep
inline constexpr std::string_view kCose = "cose";                // not a COSE_Sign1 structure
inline constexpr std::string_view kCwt = "cwt";                  // payload not a valid CWT
inline constexpr std::string_view kClaim = "claim";              // certificate claim malformed
inline constexpr std::string_view kAlgorithm = "algorithm";      // alg missing or not supported
inline constexpr std::string_view kKid = "kid";                  // kid missing or not 8 bytes
inline constexpr std::string_view kUnknownKid = "unknown_kid";   // kid not in the trust list
inline constexpr std::string_view kKeyRetired = "key_retired";   // the key was retired
inline constexpr std::string_view kKeyExpired = "key_expired";   // outside the key's validity
inline constexpr std::string_view kSignature = "signature";      // signature does not verify
inline constexpr std::string_view kNotYetValid = "not_yet_valid";  // clock before iat
inline constexpr std::string_view kExpired = "expired";            // clock after exp
inline constexpr std::string_view kRevoked = "revoked";            // in the revocation list
inline constexpr std::string_view kConsumed = "consumed";     // used once already (server only)
inline constexpr std::string_view kTrustList = "trust_list";  // trust list signature/format bad
inline constexpr std::string_view kRevocationList = "revocation_list";  // same, revocation list
}  // namespace reason

// Decoder limits. Defaults suit a QR code (at most ~4 KB of text); tests lower or raise them.
struct Limits {
  size_t max_text = 16 * 1024;      // characters of the HP1 text
  size_t max_inflated = 64 * 1024;  // bytes after zlib: larger is a zlib bomb, refused
  int max_cbor_depth = 16;          // nesting of CBOR arrays/maps/tags; at most 64 is honoured
};

// The first checks of every verification: the base45 text after "HP1:", or kInvalidArgument with
// field "prefix" (no "HP1:") or "base45" (longer than limits.max_text). VerifyHp1 starts with it,
// and the server's Verify runs it before it reads any key.
Result<std::string_view> Hp1Body(std::string_view text, const Limits& limits);

// The largest QR code a certificate should need: version 25 at error correction level Q holds
// 1,041 characters in alphanumeric mode (ISO/IEC 18004 table 7; tests/qr checks it with
// libqrencode). PayloadOf folds the ear tags into a count and a digest when the HP1 text with all
// of them would be longer.
inline constexpr size_t kMaxQrAlphanumericChars = 1041;

// --- stage 1: prefix ---
// Returns the text after `prefix` ("HP1:"); kInvalidArgument/field "prefix" otherwise.
Result<std::string_view> StripPrefix(std::string_view text, std::string_view prefix = "HP1:");

// --- stage 2: base45 (RFC 9285) ---
std::string Base45Encode(ByteView data);
Result<Bytes> Base45Decode(std::string_view text);

// --- stage 3: zlib (RFC 1950) ---
Bytes Deflate(ByteView data);  // best compression
// kInvalidArgument/"compression" when not a complete zlib stream or when it inflates past `max`.
Result<Bytes> Inflate(ByteView data, size_t max);

// --- stage 4: COSE_Sign1 (RFC 9052) ---
inline constexpr int kAlgEdDSA = -8;
inline constexpr int kAlgES256 = -7;
inline constexpr int kAlgPS256 = -37;

struct CoseSign1 {
  Bytes protected_header;  // the bstr exactly as received (signed over); EncodeProtectedHeader
  // From the protected header; from the unprotected one only when the protected header has none
  // (the DCC accepts that, test case CO20). Safe: VerifySignature also requires the alg of the
  // key it is given, so an attacker who edits the unprotected alg gains nothing.
  std::optional<int64_t> alg;
  std::optional<Bytes> kid_protected;  // header label 4
  std::optional<Bytes> kid_unprotected;
  Bytes payload;
  Bytes signature;

  // The kid to look up: the protected one when present, else the unprotected one (as the DCC
  // verifiers do: an unprotected kid is only a hint and never overrides a protected one).
  std::optional<Bytes> kid() const;
};

// Accepts tag 18 (COSE_Sign1), tag 61 (CWT) wrapping tag 18, or the untagged array. Field "cbor"
// when the bytes (or the protected header's) are not one well-formed CBOR item within
// limits.max_cbor_depth, "cose" when the structure is wrong, "kid" when a kid is not a bstr. Any
// kid length is accepted here: VerifyHp1 requires 8 bytes.
Result<CoseSign1> ParseCoseSign1(ByteView data, const Limits& limits = {});
// The Sig_structure ["Signature1", protected, h'', payload] that the signature covers.
Bytes SigStructure(const CoseSign1& cose);
// The protected header bstr's content: {1: alg, 4: kid} (each only when given), empty when
// neither (RFC 9052 section 3: an empty protected map is sent as a zero-length bstr).
Bytes EncodeProtectedHeader(std::optional<int64_t> alg, std::optional<ByteView> kid);
// Tag 18 + [cose.protected_header as is, {} (or {4: kid_unprotected} when set), payload,
// signature].
Bytes EncodeCoseSign1(const CoseSign1& cose);

// --- stage 5: CWT (RFC 8392) ---
inline constexpr int64_t kClaimCertificate = -65537;  // the private claim holding the certificate

struct CwtClaims {
  std::string iss;
  // Seconds since the epoch; a NumericDate written as a float (RFC 8392 allows a fraction) is
  // truncated to the second it falls in (floor).
  std::optional<int64_t> iat;
  std::optional<int64_t> exp;
  Bytes cti;
};
// Checks that the payload is a CBOR map with well-typed standard claims (iss text, iat/exp int
// or float, cti bstr); other claims are allowed and ignored.
Result<CwtClaims> ParseCwt(ByteView payload, const Limits& limits = {});

// --- the HP1 payload ---
// The certificate as it is written into the QR code: no full phone number, a masked owner name.
struct Hp1Payload {
  std::string iss;  // issuing authority code
  Timestamp iat{};
  Timestamp exp{};
  std::string id;  // UUID text (the cti is its 16 bytes)
  std::string number;
  std::string purpose;
  std::string species;
  int32_t head_count = 0;
  // All ear tags when they fit a QR code of version 25 or less; otherwise empty, with tag_count
  // and tags_sha256 (hex of SHA-256 over the sorted tags joined by '\n') set instead.
  std::vector<std::string> tags;
  int32_t tag_count = 0;
  std::string tags_sha256;
  std::string origin;
  std::string origin_place;
  std::string destination;
  std::string destination_place;
  std::string transport;
  std::vector<CertificateVaccination> vaccinations;  // record_id is not carried in the QR code
  std::string vet;
  std::string owner_masked_name;
  std::string owner_phone_last4;
};

// The payload of a stored certificate (tags folded into count + digest when too many). Times are
// cut to whole seconds (CWT NumericDate) so that DecodeCwt(EncodeCwt(PayloadOf(c))) gives back
// the same value.
Hp1Payload PayloadOf(const Certificate& c);
// Hex SHA-256 over the tags sorted and joined by '\n' (no trailing newline): tags_sha256.
std::string TagsDigest(std::vector<std::string> tags);
// The CWT of docs/hp1-format.md, deterministic CBOR. REQUIRES: p.id is a UUID (otherwise the cti
// is empty and DecodeCwt refuses the certificate).
Bytes EncodeCwt(const Hp1Payload& p);
// ParseCwt, then the HP1 rules: iss, iat, exp and a 16-byte cti present (field "cwt"), and a
// well-formed certificate claim (field "claim").
Result<Hp1Payload> DecodeCwt(ByteView payload, const Limits& limits = {});
// The validity window: field "not_yet_valid" when now < iat, "expired" when now > exp; both ends
// inclusive. Missing iat/exp are not checked here (ParseCwt allows them; DecodeCwt does not).
Status CheckValidityWindow(const CwtClaims& claims, Timestamp now);

// --- keys and signatures ---
// kid = first 8 bytes of SHA-256 over the raw public key (Ed25519) or the DER X.509 certificate.
std::array<uint8_t, 8> KidOf(ByteView key_bytes);
std::string KidHex(ByteView kid);

class Ed25519Signer {
 public:
  static Ed25519Signer Generate();
  // From the 32-byte seed (what key files hold); kInvalidArgument on a wrong size.
  static Result<Ed25519Signer> FromSeed(ByteView seed);

  const Bytes& public_key() const { return public_key_; }  // raw 32 bytes
  std::string kid_hex() const;
  const Bytes& seed() const { return seed_; }
  Bytes Sign(ByteView message) const;  // detached 64-byte signature

 private:
  Bytes seed_;
  Bytes public_key_;
  Bytes secret_key_;  // libsodium's 64-byte form
};

// A key to verify with: Ed25519 raw public key, or an X.509 certificate (DER) carrying a P-256 or
// RSA key for ES256 / PS256.
struct VerifyKey {
  int alg = kAlgEdDSA;
  Bytes key;  // raw 32 bytes for EdDSA; DER X.509 certificate for ES256/PS256
};
// field "signature" when it does not verify, "algorithm" when `cose.alg` is missing, unsupported or
// does not match the key.
Status VerifySignature(const CoseSign1& cose, const VerifyKey& key);
// The VerifyKey of a DER X.509 certificate: ES256 for a P-256 key, PS256 for an RSA key of at
// least 2048 bits; field "algorithm" for any other key, "cose" when `der` is not a certificate.
Result<VerifyKey> VerifyKeyOfCertificate(ByteView der);

// Encodes and signs: the whole pipeline, returns "HP1:...".
std::string EncodeHp1(const Hp1Payload& payload, const Ed25519Signer& signer);

// --- verification against trust and revocation lists (W4) ---
struct TrustedKey {
  SigningKey key;  // kid hex, authority, country, validity, retired_at
  VerifyKey verify;
};

struct VerifyInput {
  std::vector<TrustedKey> keys;
  std::vector<std::string> revoked_ids;  // certificate ids (UUID text), scanned one by one
  // A long revocation list as a hash set of canonical (lowercase) UUID texts: one lookup instead of
  // a scan. Optional; checked as well as revoked_ids.
  const std::unordered_set<std::string>* revoked_set = nullptr;
  Timestamp now{};
  Limits limits;
};

struct VerifyReason {
  std::string code;     // one of reason::*
  std::string message;  // human-readable, English
};

struct VerifyOutcome {
  bool valid = false;
  // "valid", "invalid" (cannot be read or signature/kid bad), "expired", "not_yet_valid",
  // "revoked" (and the server adds "consumed").
  std::string status = "invalid";
  std::vector<VerifyReason> reasons;  // empty when valid
  std::optional<Hp1Payload> payload;  // set whenever the payload could be decoded
  std::string kid;                    // hex, when read
};

// Runs every stage and check in this order: prefix, text length, base45, inflate, COSE, kid (8
// bytes), kid in keys, alg and signature, CWT and claim, key usable at iat and at now, validity
// window, revocation. The first failure up to the key check is final (status "invalid", one
// reason); the validity window and revocation are both checked and both reported. Status:
// "revoked" over "expired" over "not_yet_valid". Never throws.
VerifyOutcome VerifyHp1(std::string_view text, const VerifyInput& input);

}  // namespace herdpass::cert
