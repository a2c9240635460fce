// The HP1 pipeline end to end: PayloadOf (what goes into the QR code), EncodeHp1 and VerifyHp1.
#include "cert/hp1.h"

#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "cert/detail/bytes.h"

namespace herdpass::cert {
namespace {

constexpr std::string_view kPrefix = "HP1:";

Timestamp FloorSeconds(Timestamp t) { return std::chrono::floor<std::chrono::seconds>(t); }

// Compares hex kids and UUIDs, which may come in either case, without allocating: VerifyHp1 runs
// it for every key of the trust list.
// ASCII only (hex and UUIDs), inline: std::tolower is a locale-aware call per character, and with a
// revocation list of 1,000 ids it took a fifth of VerifyHp1's time.
constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

// The HP1 text of `payload` signed by a key with `kid`, computed without the key: the signature
// is stood in for by 64 bytes of SHA-512 of the CWT, as incompressible as a real signature.
// Deflate may still code the real signature a byte or two differently; kSizeSlack covers it.
std::string Hp1WithStandInSignature(const Hp1Payload& payload, ByteView kid) {
  CoseSign1 cose;
  cose.protected_header = EncodeProtectedHeader(kAlgEdDSA, kid);
  cose.payload = EncodeCwt(payload);
  cose.signature.resize(crypto_hash_sha512_BYTES);
  crypto_hash_sha512(cose.signature.data(), cose.payload.data(), cose.payload.size());
  return std::string(kPrefix) + Base45Encode(Deflate(EncodeCoseSign1(cose)));
}
constexpr size_t kSizeSlack = 6;  // characters: 4 bytes of base45

// An upper bound of the HP1 text's length, without compressing: zlib never makes a stream longer
// than compressBound, base45 writes 3 characters per 2 bytes. The COSE envelope around the CWT
// (tag, array, protected header with the kid, signature) takes under 96 bytes.
size_t Hp1LengthBound(const Hp1Payload& payload) {
  const size_t cose = EncodeCwt(payload).size() + 96;
  const size_t zlib = compressBound(static_cast<uLong>(cose));
  return kPrefix.size() + (zlib + 1) / 2 * 3;
}

}  // namespace

Hp1Payload PayloadOf(const Certificate& c) {
  Hp1Payload p;
  p.iss = c.authority;
  p.iat = FloorSeconds(c.issued_at);
  p.exp = FloorSeconds(c.valid_until);
  p.id = c.id;
  p.number = c.number;
  p.purpose = PurposeName(c.purpose);
  p.species = c.species;
  p.head_count = c.head_count;
  p.tags = c.tags;
  p.tag_count = static_cast<int32_t>(c.tags.size());
  p.origin = c.origin;
  p.origin_place = c.origin_place;
  p.destination = c.destination;
  p.destination_place = c.destination_place;
  p.transport = c.transport;
  for (const auto& v : c.vaccinations) {
    p.vaccinations.push_back({"", v.disease, v.administered_on, v.batch_no});
  }
  p.vet = c.vet_name;
  p.owner_masked_name = c.owner_masked_name;
  p.owner_phone_last4 = c.owner_phone_last4;

  // Most certificates are far below the bound: compressing a stand-in is only needed near it.
  if (!p.tags.empty() && Hp1LengthBound(p) + kSizeSlack > kMaxQrAlphanumericChars) {
    Bytes kid = detail::FromHex(c.kid).value_or(Bytes(8, 0));
    if (Hp1WithStandInSignature(p, kid).size() + kSizeSlack > kMaxQrAlphanumericChars) {
      p.tags_sha256 = TagsDigest(p.tags);
      p.tags.clear();
    }
  }
  return p;
}

std::string EncodeHp1(const Hp1Payload& payload, const Ed25519Signer& signer) {
  const auto kid = KidOf(signer.public_key());
  CoseSign1 cose;
  cose.alg = kAlgEdDSA;
  cose.kid_protected = Bytes(kid.begin(), kid.end());
  cose.protected_header = EncodeProtectedHeader(kAlgEdDSA, ByteView(kid));
  cose.payload = EncodeCwt(payload);
  cose.signature = signer.Sign(SigStructure(cose));
  return std::string(kPrefix) + Base45Encode(Deflate(EncodeCoseSign1(cose)));
}

Result<std::string_view> Hp1Body(std::string_view text, const Limits& limits) {
  HP_ASSIGN_OR_RETURN(const std::string_view body, StripPrefix(text, kPrefix));
  if (text.size() > limits.max_text) {
    return InvalidArgument(
        std::string(reason::kBase45),
        "text is longer than " + std::to_string(limits.max_text) + " characters");
  }
  return body;
}

VerifyOutcome VerifyHp1(std::string_view text, const VerifyInput& input) {
  VerifyOutcome out;
  const Limits& limits = input.limits;
  auto invalid = [&](const Status& s) {
    out.valid = false;
    out.status = "invalid";
    out.reasons.push_back({s.field(), s.message()});
    return out;
  };

  // Decoding: each stage's Status already carries its reason code.
  auto body = Hp1Body(text, limits);
  if (!body.ok()) return invalid(body.status());
  auto compressed = Base45Decode(body.value());
  if (!compressed.ok()) return invalid(compressed.status());
  auto cose_bytes = Inflate(compressed.value(), limits.max_inflated);
  if (!cose_bytes.ok()) return invalid(cose_bytes.status());
  auto cose = ParseCoseSign1(cose_bytes.value(), limits);
  if (!cose.ok()) return invalid(cose.status());

  // The payload is decoded before the signature is checked so that a caller can show what a
  // refused certificate claims; `valid` and `status` say whether to believe it.
  auto payload = DecodeCwt(cose->payload, limits);
  if (payload.ok()) out.payload = payload.value();

  auto kid = cose->kid();
  if (!kid || kid->size() != 8) {
    return invalid(InvalidArgument(
        std::string(reason::kKid),
        kid ? "kid is " + std::to_string(kid->size()) + " bytes, not 8" : "kid is missing"));
  }
  out.kid = KidHex(*kid);
  const TrustedKey* key = nullptr;
  for (const auto& k : input.keys) {
    if (EqualsIgnoringCase(k.key.kid, out.kid)) {
      key = &k;
      break;
    }
  }
  if (key == nullptr) {
    return invalid(
        InvalidArgument(std::string(reason::kUnknownKid), "no trusted key has kid " + out.kid));
  }
  if (Status s = VerifySignature(cose.value(), key->verify); !s.ok()) return invalid(s);
  if (!payload.ok()) return invalid(payload.status());
  const Hp1Payload& p = payload.value();

  // The key must have been good when it signed and still be good now: a retired key's
  // certificates are all refused, since nobody can tell which ones a thief signed.
  for (Timestamp t : {p.iat, input.now}) {
    if (key->key.usable_at(t)) continue;
    const bool retired = key->key.retired_at && t >= *key->key.retired_at;
    return invalid(InvalidArgument(
        std::string(retired ? reason::kKeyRetired : reason::kKeyExpired),
        retired
            ? "key " + out.kid + " was retired at " + FormatRfc3339(*key->key.retired_at)
            : "key " + out.kid + " is valid from " + FormatRfc3339(key->key.valid_from) + " to " +
                  FormatRfc3339(key->key.valid_until) + ", not at " + FormatRfc3339(t)));
  }

  CwtClaims claims;
  claims.iat = std::chrono::floor<std::chrono::seconds>(p.iat).time_since_epoch().count();
  claims.exp = std::chrono::floor<std::chrono::seconds>(p.exp).time_since_epoch().count();
  const Status window = CheckValidityWindow(claims, input.now);
  if (!window.ok()) out.reasons.push_back({window.field(), window.message()});
  // p.id is the canonical lowercase text of the cti's 16 bytes.
  bool revoked = input.revoked_set != nullptr && input.revoked_set->contains(p.id);
  for (size_t i = 0; !revoked && i < input.revoked_ids.size(); ++i) {
    revoked = EqualsIgnoringCase(input.revoked_ids[i], p.id);
  }
  if (revoked) {
    out.reasons.push_back(
        {std::string(reason::kRevoked), "certificate " + p.id + " is in the revocation list"});
  }
  out.valid = window.ok() && !revoked;
  out.status = revoked ? "revoked" : window.ok() ? "valid" : window.field();
  return out;
}

}  // namespace herdpass::cert
