// Shared fixtures of the cert/ tests: a fixed signer, a sample payload, and helpers that rebuild an
// HP1 text from a (possibly tampered) COSE_Sign1.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cert/hp1.h"
#include "domain/time.h"

namespace herdpass::cert::testing {

inline Timestamp T(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

// A signer from a seed of 32 copies of `fill`: fixed keys, so failures reproduce.
inline Ed25519Signer FixedSigner(uint8_t fill = 7) {
  return Ed25519Signer::FromSeed(Bytes(32, fill)).value();
}

inline Hp1Payload SamplePayload() {
  Hp1Payload p;
  p.iss = "KZ-ABY";
  p.iat = T("2026-11-29T03:00:00Z");
  p.exp = T("2026-12-02T03:00:00Z");
  p.id = "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f";
  p.number = "KZ-ABY-20261129-K7M2Q9XD";
  p.purpose = "slaughter";
  p.species = "cattle";
  p.head_count = 3;
  p.tags = {"398012345678901", "398012345678902", "398012345678903"};
  p.tag_count = 3;
  p.origin = "KZ-ABY-01";
  p.origin_place = "Karaul village, farm 12";
  p.destination = "KZ-ALA";
  p.destination_place = "Almaty meat plant";
  p.transport = "truck 123 ABC 02";
  p.vaccinations = {{"", "fmd_o", Date::Parse("2026-09-01").value(), "FMD-2026-117"},
                    {"", "anthrax", Date::Parse("2026-05-14").value(), "AN-55"}};
  p.vet = "Serik Bekov";
  p.owner_masked_name = "A****** N*********";
  p.owner_phone_last4 = "4650";
  return p;
}

inline TrustedKey TrustedFor(const Ed25519Signer& signer,
                             Timestamp from = T("2026-01-01T00:00:00Z"),
                             Timestamp until = T("2027-12-31T00:00:00Z")) {
  TrustedKey k;
  k.key.kid = signer.kid_hex();
  k.key.authority = "KZ-ABY";
  k.key.country = "KZ";
  k.key.valid_from = from;
  k.key.valid_until = until;
  k.verify = {kAlgEdDSA, signer.public_key()};
  return k;
}

// "HP1:" + base45(zlib(bytes)): the outer stages over any COSE bytes.
inline std::string Wrap(ByteView cose_bytes) { return "HP1:" + Base45Encode(Deflate(cose_bytes)); }

// The COSE_Sign1 inside an HP1 text. REQUIRES: a well-formed HP1 text.
inline CoseSign1 Unwrap(std::string_view hp1) {
  auto body = StripPrefix(hp1).value();
  auto cose = ParseCoseSign1(Inflate(Base45Decode(body).value(), 1 << 20).value());
  EXPECT_TRUE(cose.ok()) << cose.status().ToString();
  return cose.value();
}

// Signs `cose` as it stands (protected header, payload) with `signer`.
inline void Resign(CoseSign1& cose, const Ed25519Signer& signer) {
  cose.signature = signer.Sign(SigStructure(cose));
}

inline void ExpectSamePayload(const Hp1Payload& a, const Hp1Payload& b) {
  EXPECT_EQ(a.iss, b.iss);
  EXPECT_EQ(a.iat, b.iat);
  EXPECT_EQ(a.exp, b.exp);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.purpose, b.purpose);
  EXPECT_EQ(a.species, b.species);
  EXPECT_EQ(a.head_count, b.head_count);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.tag_count, b.tag_count);
  EXPECT_EQ(a.tags_sha256, b.tags_sha256);
  EXPECT_EQ(a.origin, b.origin);
  EXPECT_EQ(a.origin_place, b.origin_place);
  EXPECT_EQ(a.destination, b.destination);
  EXPECT_EQ(a.destination_place, b.destination_place);
  EXPECT_EQ(a.transport, b.transport);
  ASSERT_EQ(a.vaccinations.size(), b.vaccinations.size());
  for (size_t i = 0; i < a.vaccinations.size(); ++i) {
    EXPECT_EQ(a.vaccinations[i].disease, b.vaccinations[i].disease);
    EXPECT_EQ(a.vaccinations[i].administered_on, b.vaccinations[i].administered_on);
    EXPECT_EQ(a.vaccinations[i].batch_no, b.vaccinations[i].batch_no);
  }
  EXPECT_EQ(a.vet, b.vet);
  EXPECT_EQ(a.owner_masked_name, b.owner_masked_name);
  EXPECT_EQ(a.owner_phone_last4, b.owner_phone_last4);
}

}  // namespace herdpass::cert::testing
