// The whole HP1 pipeline: encode, verify, and every way a certificate is refused, each with its
// own reason code.
#include "cert/hp1.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "cert/documents.h"
#include "tests/cert/cert_test_util.h"

namespace herdpass::cert {
namespace {

using testing::FixedSigner;
using testing::SamplePayload;
using testing::T;
using testing::TrustedFor;

class VerifyHp1Test : public ::testing::Test {
 protected:
  VerifyHp1Test() : signer_(FixedSigner(7)), other_(FixedSigner(9)) {
    input_.keys = {TrustedFor(signer_)};
    input_.now = T("2026-11-30T12:00:00Z");
  }

  // Verifies and checks the outcome has exactly one reason, `code`, with status `status`.
  void ExpectRefused(std::string_view text, std::string_view code,
                     std::string_view status = "invalid") {
    VerifyOutcome out = VerifyHp1(text, input_);
    EXPECT_FALSE(out.valid);
    EXPECT_EQ(out.status, status);
    ASSERT_EQ(out.reasons.size(), 1u) << (out.reasons.empty() ? "" : out.reasons[0].code);
    EXPECT_EQ(out.reasons[0].code, code) << out.reasons[0].message;
    EXPECT_FALSE(out.reasons[0].message.empty());
  }

  Ed25519Signer signer_;
  Ed25519Signer other_;
  VerifyInput input_;
};

TEST_F(VerifyHp1Test, RoundTrip) {
  const Hp1Payload p = SamplePayload();
  std::string hp1 = EncodeHp1(p, signer_);
  EXPECT_EQ(hp1.rfind("HP1:", 0), 0u);
  EXPECT_EQ(hp1.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"),
            std::string::npos);  // all QR alphanumeric
  VerifyOutcome out = VerifyHp1(hp1, input_);
  EXPECT_TRUE(out.valid);
  EXPECT_EQ(out.status, "valid");
  EXPECT_TRUE(out.reasons.empty());
  EXPECT_EQ(out.kid, signer_.kid_hex());
  ASSERT_TRUE(out.payload.has_value());
  testing::ExpectSamePayload(*out.payload, p);
}

TEST_F(VerifyHp1Test, EncodingIsDeterministic) {
  EXPECT_EQ(EncodeHp1(SamplePayload(), signer_), EncodeHp1(SamplePayload(), signer_));
}

TEST_F(VerifyHp1Test, TamperedPayloadFailsTheSignature) {
  CoseSign1 cose = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  // Change the last digit of the owner's phone (the payload's last byte): still a valid CWT.
  ASSERT_EQ(cose.payload.back(), '0');
  cose.payload.back() = '1';
  ASSERT_TRUE(DecodeCwt(cose.payload).ok());
  std::string tampered = testing::Wrap(EncodeCoseSign1(cose));
  ExpectRefused(tampered, "signature");
  // The claimed content is still shown, marked invalid.
  VerifyOutcome out = VerifyHp1(tampered, input_);
  ASSERT_TRUE(out.payload.has_value());
  EXPECT_EQ(out.payload->owner_phone_last4, "4651");
}

TEST_F(VerifyHp1Test, TamperedSignatureFails) {
  CoseSign1 cose = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  cose.signature[10] ^= 0x01;
  ExpectRefused(testing::Wrap(EncodeCoseSign1(cose)), "signature");
}

TEST_F(VerifyHp1Test, UnknownKid) {
  ExpectRefused(EncodeHp1(SamplePayload(), other_), "unknown_kid");
  input_.keys.clear();
  ExpectRefused(EncodeHp1(SamplePayload(), signer_), "unknown_kid");
}

TEST_F(VerifyHp1Test, WrongKidNamingAnotherTrustedKeyFailsTheSignature) {
  // Signed by `other_` but claiming `signer_`'s kid: the lookup finds signer_'s key, which does
  // not verify other_'s signature.
  CoseSign1 cose = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  testing::Resign(cose, other_);
  ExpectRefused(testing::Wrap(EncodeCoseSign1(cose)), "signature");
}

TEST_F(VerifyHp1Test, KidMissingOrNotEightBytes) {
  CoseSign1 cose = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  for (std::optional<Bytes> kid : {std::optional<Bytes>{}, std::optional<Bytes>(Bytes(7, 1)),
                                   std::optional<Bytes>(Bytes(9, 1))}) {
    cose.protected_header = kid ? EncodeProtectedHeader(kAlgEdDSA, ByteView(*kid))
                                : EncodeProtectedHeader(kAlgEdDSA, {});
    testing::Resign(cose, signer_);
    ExpectRefused(testing::Wrap(EncodeCoseSign1(cose)), "kid");
  }
}

TEST_F(VerifyHp1Test, KidInTheUnprotectedHeaderIsAccepted) {
  CoseSign1 cose = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  auto kid = KidOf(signer_.public_key());
  cose.protected_header = EncodeProtectedHeader(kAlgEdDSA, std::nullopt);
  cose.kid_unprotected = Bytes(kid.begin(), kid.end());
  testing::Resign(cose, signer_);
  VerifyOutcome out = VerifyHp1(testing::Wrap(EncodeCoseSign1(cose)), input_);
  EXPECT_TRUE(out.valid) << (out.reasons.empty() ? "" : out.reasons[0].message);
}

TEST_F(VerifyHp1Test, WrongOrMissingAlgorithm) {
  CoseSign1 cose = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  auto kid = KidOf(signer_.public_key());
  for (std::optional<int64_t> alg :
       {std::optional<int64_t>(kAlgES256), std::optional<int64_t>(kAlgPS256),
        std::optional<int64_t>(1), std::optional<int64_t>()}) {
    cose.protected_header = EncodeProtectedHeader(alg, ByteView(kid));
    testing::Resign(cose, signer_);
    ExpectRefused(testing::Wrap(EncodeCoseSign1(cose)), "algorithm");
  }
}

TEST_F(VerifyHp1Test, RetiredKey) {
  // Retired after issue but before now, and retired before issue.
  for (const char* retired : {"2026-11-30T00:00:00Z", "2026-06-01T00:00:00Z"}) {
    input_.keys[0].key.retired_at = T(retired);
    ExpectRefused(EncodeHp1(SamplePayload(), signer_), "key_retired");
  }
  // Retired only after now: still good.
  input_.keys[0].key.retired_at = T("2026-12-01T00:00:00Z");
  EXPECT_TRUE(VerifyHp1(EncodeHp1(SamplePayload(), signer_), input_).valid);
}

TEST_F(VerifyHp1Test, KeyOutsideItsValidity) {
  // Ended before now.
  input_.keys[0] = TrustedFor(signer_, T("2026-01-01T00:00:00Z"), T("2026-11-30T00:00:00Z"));
  ExpectRefused(EncodeHp1(SamplePayload(), signer_), "key_expired");
  // Started after the certificate was issued (backdated certificate).
  input_.keys[0] = TrustedFor(signer_, T("2026-11-29T12:00:00Z"), T("2027-01-01T00:00:00Z"));
  ExpectRefused(EncodeHp1(SamplePayload(), signer_), "key_expired");
}

TEST_F(VerifyHp1Test, ExpiredCertificate) {
  input_.now = T("2026-12-02T03:00:01Z");
  VerifyOutcome out = VerifyHp1(EncodeHp1(SamplePayload(), signer_), input_);
  EXPECT_FALSE(out.valid);
  EXPECT_EQ(out.status, "expired");
  ASSERT_EQ(out.reasons.size(), 1u);
  EXPECT_EQ(out.reasons[0].code, "expired");
  EXPECT_TRUE(out.payload.has_value());
  // exp itself is still inside the window.
  input_.now = T("2026-12-02T03:00:00.999Z");
  EXPECT_TRUE(VerifyHp1(EncodeHp1(SamplePayload(), signer_), input_).valid);
}

TEST_F(VerifyHp1Test, NotYetValid) {
  input_.now = T("2026-11-29T02:59:59Z");
  VerifyOutcome out = VerifyHp1(EncodeHp1(SamplePayload(), signer_), input_);
  EXPECT_FALSE(out.valid);
  EXPECT_EQ(out.status, "not_yet_valid");
  ASSERT_EQ(out.reasons.size(), 1u);
  EXPECT_EQ(out.reasons[0].code, "not_yet_valid");
}

TEST_F(VerifyHp1Test, Revoked) {
  input_.revoked_ids = {"00000000-0000-0000-0000-000000000000",
                        "0190F1E4-7A3B-7C2D-8E9F-0A1B2C3D4E5F"};  // any case
  VerifyOutcome out = VerifyHp1(EncodeHp1(SamplePayload(), signer_), input_);
  EXPECT_FALSE(out.valid);
  EXPECT_EQ(out.status, "revoked");
  ASSERT_EQ(out.reasons.size(), 1u);
  EXPECT_EQ(out.reasons[0].code, "revoked");
}

TEST_F(VerifyHp1Test, RevokedThroughTheHashSet) {
  const std::string hp1 = EncodeHp1(SamplePayload(), signer_);
  std::unordered_set<std::string> revoked = {"00000000-0000-0000-0000-000000000000"};
  input_.revoked_set = &revoked;
  EXPECT_TRUE(VerifyHp1(hp1, input_).valid);
  revoked.insert("0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f");
  VerifyOutcome out = VerifyHp1(hp1, input_);
  EXPECT_FALSE(out.valid);
  EXPECT_EQ(out.status, "revoked");
  ASSERT_EQ(out.reasons.size(), 1u);
  EXPECT_EQ(out.reasons[0].code, "revoked");
}

TEST_F(VerifyHp1Test, RevokedAndExpiredReportsBothRevokedFirstInStatus) {
  input_.revoked_ids = {"0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f"};
  input_.now = T("2027-01-01T00:00:00Z");
  VerifyOutcome out = VerifyHp1(EncodeHp1(SamplePayload(), signer_), input_);
  EXPECT_EQ(out.status, "revoked");
  ASSERT_EQ(out.reasons.size(), 2u);
  EXPECT_EQ(out.reasons[0].code, "expired");
  EXPECT_EQ(out.reasons[1].code, "revoked");
}

TEST_F(VerifyHp1Test, TruncatedText) {
  std::string hp1 = EncodeHp1(SamplePayload(), signer_);
  // One whole base45 group less: decodes, but the zlib stream ends early.
  ExpectRefused(hp1.substr(0, hp1.size() - 3), "compression");
  // A length base45 cannot have.
  std::string bad_length = hp1.substr(0, hp1.size() - ((hp1.size() - 4) % 3 == 0 ? 2 : 1));
  ASSERT_EQ((bad_length.size() - 4) % 3, 1u);
  ExpectRefused(bad_length, "base45");
  ExpectRefused("HP1:", "compression");
  ExpectRefused("HP", "prefix");
}

TEST_F(VerifyHp1Test, NonBase45Text) {
  std::string hp1 = EncodeHp1(SamplePayload(), signer_);
  hp1[10] = 'a';
  ExpectRefused(hp1, "base45");
  ExpectRefused("HP1:this is not base45!", "base45");
}

TEST_F(VerifyHp1Test, WrongPrefix) {
  std::string hp1 = EncodeHp1(SamplePayload(), signer_);
  ExpectRefused("HC1:" + hp1.substr(4), "prefix");
  ExpectRefused(hp1.substr(4), "prefix");
}

TEST_F(VerifyHp1Test, TextOverTheLimit) {
  input_.limits.max_text = 100;
  ExpectRefused(EncodeHp1(SamplePayload(), signer_), "base45");
}

TEST_F(VerifyHp1Test, ZlibBomb) {
  Bytes zeros(10 * 1024 * 1024, 0);
  std::string bomb = "HP1:" + Base45Encode(Deflate(zeros));
  ASSERT_LT(bomb.size(), input_.limits.max_text);
  ExpectRefused(bomb, "compression");
}

TEST_F(VerifyHp1Test, CborNestedTenThousandDeep) {
  Bytes deep(10'000, 0x81);
  deep.push_back(0x00);
  ExpectRefused(testing::Wrap(deep), "cbor");
  // The same depth inside a correctly signed payload.
  CoseSign1 cose = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  cose.payload = deep;
  testing::Resign(cose, signer_);
  ExpectRefused(testing::Wrap(EncodeCoseSign1(cose)), "cbor");
  // And inside the protected header.
  CoseSign1 deep_header = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  deep_header.protected_header = deep;
  ExpectRefused(testing::Wrap(EncodeCoseSign1(deep_header)), "cbor");
}

TEST_F(VerifyHp1Test, SignedPayloadThatIsNotAnHp1Cwt) {
  CoseSign1 cose = testing::Unwrap(EncodeHp1(SamplePayload(), signer_));
  cose.payload = {0x80};  // an array, not a claims map
  testing::Resign(cose, signer_);
  ExpectRefused(testing::Wrap(EncodeCoseSign1(cose)), "cwt");
  cose.payload = {0xA0};  // a map without iss/iat/exp/cti
  testing::Resign(cose, signer_);
  ExpectRefused(testing::Wrap(EncodeCoseSign1(cose)), "cwt");
}

TEST_F(VerifyHp1Test, SignedPayloadWithABrokenClaim) {
  Hp1Payload p = SamplePayload();
  p.vaccinations[0].administered_on = Date::FromDays(0);
  CoseSign1 cose = testing::Unwrap(EncodeHp1(p, signer_));
  std::string s(cose.payload.begin(), cose.payload.end());
  s.replace(s.find("1970-01-01"), 10, "1970-13-01");
  cose.payload.assign(s.begin(), s.end());
  testing::Resign(cose, signer_);
  ExpectRefused(testing::Wrap(EncodeCoseSign1(cose)), "claim");
}

TEST_F(VerifyHp1Test, WorksWithKeysFromATrustList) {
  SigningKey key = TrustedFor(signer_).key;
  key.public_key = "";
  ASSERT_EQ(sodium_init() >= 0, true);
  char b64[64];
  sodium_bin2base64(b64, sizeof b64, signer_.public_key().data(), 32,
                    sodium_base64_VARIANT_ORIGINAL);
  key.public_key = b64;
  auto keys = ToTrustedKeys({key});
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  input_.keys = keys.value();
  EXPECT_TRUE(VerifyHp1(EncodeHp1(SamplePayload(), signer_), input_).valid);
}

// --- PayloadOf ---

Certificate SampleCertificate(size_t tags) {
  Certificate c;
  c.id = "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f";
  c.number = "KZ-ABY-20261129-K7M2Q9XD";
  c.authority = "KZ-ABY";
  c.kid = FixedSigner().kid_hex();
  c.species = "sheep";
  c.head_count = static_cast<int32_t>(tags);
  for (size_t i = 0; i < tags; ++i) {
    // Tags in no particular order, to check the digest sorts them.
    c.tags.push_back("398" + std::to_string(100000000000 + (i * 7919) % 1000003));
  }
  c.purpose = Purpose::kSale;
  c.origin = "KZ-ABY-01";
  c.destination = "KZ-ALA";
  c.transport = "on foot";
  c.issued_at = T("2026-11-29T03:00:00.750Z");
  c.valid_until = T("2026-12-02T03:00:00.250Z");
  c.vaccinations = {{"rec-1", "ppr", Date::Parse("2026-03-01").value(), "PPR-7"}};
  c.vet_name = "Serik Bekov";
  c.owner_masked_name = "A****** N*********";
  c.owner_phone_last4 = "4650";
  return c;
}

TEST(PayloadOfTest, CopiesTheCertificateAndCutsTimesToSeconds) {
  Certificate c = SampleCertificate(3);
  Hp1Payload p = PayloadOf(c);
  EXPECT_EQ(p.iss, "KZ-ABY");
  EXPECT_EQ(p.purpose, "sale");
  EXPECT_EQ(p.iat, T("2026-11-29T03:00:00Z"));
  EXPECT_EQ(p.exp, T("2026-12-02T03:00:00Z"));
  EXPECT_EQ(p.tags, c.tags);
  EXPECT_EQ(p.tag_count, 3);
  EXPECT_TRUE(p.tags_sha256.empty());
  ASSERT_EQ(p.vaccinations.size(), 1u);
  EXPECT_EQ(p.vaccinations[0].record_id, "");  // not carried in the QR code
  auto decoded = DecodeCwt(EncodeCwt(p));
  ASSERT_TRUE(decoded.ok());
  testing::ExpectSamePayload(decoded.value(), p);
}

TEST(PayloadOfTest, FoldsTheTagsOnlyWhenTheyWouldNotFitVersion25Q) {
  const Ed25519Signer signer = FixedSigner();
  bool saw_kept = false;
  bool saw_folded = false;
  for (size_t n : {0, 1, 10, 40, 60, 70, 75, 80, 90, 120, 500}) {
    Certificate c = SampleCertificate(n);
    Hp1Payload p = PayloadOf(c);
    const size_t size = EncodeHp1(p, signer).size();
    if (p.tags.size() == n) {
      saw_kept = true;
      EXPECT_LE(size, kMaxQrAlphanumericChars) << n;
      EXPECT_TRUE(p.tags_sha256.empty());
    } else {
      saw_folded = true;
      EXPECT_TRUE(p.tags.empty());
      EXPECT_EQ(p.tag_count, static_cast<int32_t>(n));
      // The unfolded text would have been too long (within the estimate's slack of 6).
      Hp1Payload all = p;
      all.tags = c.tags;
      all.tags_sha256.clear();
      EXPECT_GT(EncodeHp1(all, signer).size() + 6, kMaxQrAlphanumericChars) << n;
      // The digest, computed here independently of TagsDigest.
      std::vector<std::string> sorted = c.tags;
      std::sort(sorted.begin(), sorted.end());
      std::string joined;
      for (const auto& t : sorted) joined += (joined.empty() ? "" : "\n") + t;
      unsigned char d[32];
      crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(joined.data()), joined.size());
      char hex[65];
      sodium_bin2hex(hex, sizeof hex, d, sizeof d);
      EXPECT_EQ(p.tags_sha256, hex);
    }
  }
  EXPECT_TRUE(saw_kept);
  EXPECT_TRUE(saw_folded);
}

}  // namespace
}  // namespace herdpass::cert
