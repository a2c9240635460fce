// Fuzz target: HP1 certificate text and every stage decoder of cert/hp1.h (DESIGN.md section 11).
//
// The input is tried as the text a QR code gave (with and without "HP1:" in front, and as the
// body after "HP1:" or the DCC's "HC1:"), and as raw bytes for each binary stage (zlib, COSE_Sign1,
// CWT). Properties: nothing crashes or reads out of bounds; every refusal names one of the reason
// codes; VerifyHp1's outcome is consistent (valid <=> status "valid" <=> no reasons); base45,
// COSE_Sign1 and the HP1 CWT decode back to what they encode. The trusted key is hp1_sample's
// (seed 00 01 .. 1f), so the seed corpus's certificates verify and mutations start from a valid
// one.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "cert/hp1.h"
#include "fuzz/fuzz_check.h"

namespace {

namespace hc = herdpass::cert;

const std::set<std::string, std::less<>>& ReasonCodes() {
  namespace r = hc::reason;
  static const std::set<std::string, std::less<>> kCodes = {
      std::string(r::kPrefix),     std::string(r::kBase45),      std::string(r::kCompression),
      std::string(r::kCbor),       std::string(r::kCose),        std::string(r::kCwt),
      std::string(r::kClaim),      std::string(r::kAlgorithm),   std::string(r::kKid),
      std::string(r::kUnknownKid), std::string(r::kKeyRetired),  std::string(r::kKeyExpired),
      std::string(r::kSignature),  std::string(r::kNotYetValid), std::string(r::kExpired),
      std::string(r::kRevoked)};
  return kCodes;
}

void CheckRefusal(const herdpass::Status& s) {
  FUZZ_CHECK(!s.ok());
  FUZZ_CHECK(s.code() == herdpass::StatusCode::kInvalidArgument);
  FUZZ_CHECK(ReasonCodes().count(s.field()) == 1);
  FUZZ_CHECK(!s.message().empty());
}

const hc::VerifyInput& Input() {
  static const hc::VerifyInput kInput = [] {
    hc::Bytes seed(32);
    for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i);
    auto signer = hc::Ed25519Signer::FromSeed(seed).value();
    hc::VerifyInput in;
    hc::TrustedKey key;
    key.key.kid = signer.kid_hex();
    key.key.valid_from = herdpass::ParseRfc3339("2020-01-01T00:00:00Z").value();
    key.key.valid_until = herdpass::ParseRfc3339("2040-01-01T00:00:00Z").value();
    key.verify = {hc::kAlgEdDSA, signer.public_key()};
    in.keys.push_back(key);
    in.revoked_ids = {"0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5e"};
    in.now = herdpass::ParseRfc3339("2026-11-30T00:00:00Z").value();
    return in;
  }();
  return kInput;
}

void Verify(std::string_view text) {
  hc::VerifyOutcome out = hc::VerifyHp1(text, Input());
  FUZZ_CHECK(out.valid == (out.status == "valid"));
  FUZZ_CHECK(out.valid == out.reasons.empty());
  FUZZ_CHECK(out.status == "valid" || out.status == "invalid" || out.status == "expired" ||
             out.status == "not_yet_valid" || out.status == "revoked");
  for (const auto& r : out.reasons) {
    FUZZ_CHECK(ReasonCodes().count(r.code) == 1);
    FUZZ_CHECK(!r.message.empty());
  }
  if (out.valid) FUZZ_CHECK(out.payload.has_value() && out.kid.size() == 16);
}

bool SamePayload(const hc::Hp1Payload& a, const hc::Hp1Payload& b) {
  if (a.vaccinations.size() != b.vaccinations.size()) return false;
  for (size_t i = 0; i < a.vaccinations.size(); ++i) {
    const auto& x = a.vaccinations[i];
    const auto& y = b.vaccinations[i];
    if (x.disease != y.disease || x.administered_on != y.administered_on ||
        x.batch_no != y.batch_no) {
      return false;
    }
  }
  return a.iss == b.iss && a.iat == b.iat && a.exp == b.exp && a.id == b.id &&
         a.number == b.number && a.purpose == b.purpose && a.species == b.species &&
         a.head_count == b.head_count && a.tags == b.tags && a.tag_count == b.tag_count &&
         a.tags_sha256 == b.tags_sha256 && a.origin == b.origin &&
         a.origin_place == b.origin_place && a.destination == b.destination &&
         a.destination_place == b.destination_place && a.transport == b.transport &&
         a.vet == b.vet && a.owner_masked_name == b.owner_masked_name &&
         a.owner_phone_last4 == b.owner_phone_last4;
}

// The CWT stage: claims, then the HP1 certificate, which must survive a round trip.
void Cwt(hc::ByteView payload) {
  auto claims = hc::ParseCwt(payload);
  if (!claims.ok()) CheckRefusal(claims.status());
  auto decoded = hc::DecodeCwt(payload);
  if (!decoded.ok()) {
    CheckRefusal(decoded.status());
    return;
  }
  FUZZ_CHECK(claims.ok());
  auto again = hc::DecodeCwt(hc::EncodeCwt(decoded.value()));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(SamePayload(again.value(), decoded.value()));
}

// The COSE stage; a parsed message re-encodes to one that parses to the same parts.
void Cose(hc::ByteView bytes) {
  auto cose = hc::ParseCoseSign1(bytes);
  if (!cose.ok()) {
    CheckRefusal(cose.status());
    return;
  }
  auto again = hc::ParseCoseSign1(hc::EncodeCoseSign1(cose.value()));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->protected_header == cose->protected_header);
  FUZZ_CHECK(again->kid_protected == cose->kid_protected);
  FUZZ_CHECK(again->kid_unprotected == cose->kid_unprotected);
  FUZZ_CHECK(again->payload == cose->payload);
  FUZZ_CHECK(again->signature == cose->signature);
  herdpass::Status s = hc::VerifySignature(cose.value(), Input().keys[0].verify);
  if (!s.ok()) CheckRefusal(s);
  Cwt(cose->payload);
}

void Compressed(hc::ByteView bytes) {
  auto inflated = hc::Inflate(bytes, hc::Limits{}.max_inflated);
  if (!inflated.ok()) {
    CheckRefusal(inflated.status());
    return;
  }
  FUZZ_CHECK(inflated->size() <= hc::Limits{}.max_inflated);
  Cose(inflated.value());
}

void Text(std::string_view text, std::string_view prefix) {
  auto body = hc::StripPrefix(text, prefix);
  if (!body.ok()) {
    CheckRefusal(body.status());
    return;
  }
  auto bytes = hc::Base45Decode(body.value());
  if (!bytes.ok()) {
    CheckRefusal(bytes.status());
    return;
  }
  FUZZ_CHECK(hc::Base45Encode(bytes.value()) == body.value());  // base45 has one spelling
  Compressed(bytes.value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const hc::ByteView bytes(data, size);

  Verify(text);
  Verify("HP1:" + std::string(text));
  Text(text, "HP1:");
  Text(text, "HC1:");
  Text(text, "");
  Compressed(bytes);
  Cose(bytes);
  Cwt(bytes);
  return 0;
}
