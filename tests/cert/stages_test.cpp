// Each HP1 stage alone: prefix, base45 (RFC 9285's examples), zlib, CBOR limits, COSE_Sign1, CWT.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cert/hp1.h"
#include "tests/cert/cert_test_util.h"
#include "tests/domain/status_matchers.h"

namespace herdpass::cert {
namespace {

using herdpass::testing::IsInvalidArgument;
using testing::FixedSigner;
using testing::SamplePayload;

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

// --- prefix ---

TEST(StripPrefixTest, ReturnsTheRest) {
  auto r = StripPrefix("HP1:ABC");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "ABC");
  EXPECT_EQ(StripPrefix("HC1:XYZ", "HC1:").value(), "XYZ");
}

TEST(StripPrefixTest, RefusesOtherContexts) {
  EXPECT_TRUE(IsInvalidArgument(StripPrefix("HC1:ABC").status(), "prefix"));
  EXPECT_TRUE(IsInvalidArgument(StripPrefix("hp1:ABC").status(), "prefix"));
  EXPECT_TRUE(IsInvalidArgument(StripPrefix("HP1").status(), "prefix"));
  EXPECT_TRUE(IsInvalidArgument(StripPrefix("").status(), "prefix"));
}

// --- base45 (RFC 9285 section 4.3's examples) ---

TEST(Base45Test, EncodesTheRfcExamples) {
  EXPECT_EQ(Base45Encode(B("AB")), "BB8");
  EXPECT_EQ(Base45Encode(B("Hello!!")), "%69 VD92EX0");
  EXPECT_EQ(Base45Encode(B("base-45")), "UJCLQE7W581");
  EXPECT_EQ(Base45Encode(B("")), "");
}

TEST(Base45Test, DecodesTheRfcExamples) {
  EXPECT_EQ(Base45Decode("QED8WEX0").value(), B("ietf!"));
  EXPECT_EQ(Base45Decode("BB8").value(), B("AB"));
  EXPECT_EQ(Base45Decode("%69 VD92EX0").value(), B("Hello!!"));
  EXPECT_EQ(Base45Decode("UJCLQE7W581").value(), B("base-45"));
  EXPECT_EQ(Base45Decode("").value(), Bytes{});
}

TEST(Base45Test, RoundTripsEveryByteValueAndLength) {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(i));
  for (size_t n = 0; n <= all.size(); n += 37) {
    Bytes part(all.begin(), all.begin() + static_cast<long>(n));
    EXPECT_EQ(Base45Decode(Base45Encode(part)).value(), part) << n;
  }
  Bytes ff(5, 0xFF);
  EXPECT_EQ(Base45Decode(Base45Encode(ff)).value(), ff);
}

TEST(Base45Test, RefusesCharactersOutsideTheAlphabet) {
  EXPECT_TRUE(IsInvalidArgument(Base45Decode("bb8").status(), "base45"));  // lowercase
  EXPECT_TRUE(IsInvalidArgument(Base45Decode("BB#").status(), "base45"));
  EXPECT_TRUE(IsInvalidArgument(Base45Decode("BB\n").status(), "base45"));
  EXPECT_TRUE(IsInvalidArgument(Base45Decode(std::string("B\0B", 3)).status(), "base45"));
}

TEST(Base45Test, RefusesBadLengthsAndOverlargeGroups) {
  EXPECT_TRUE(IsInvalidArgument(Base45Decode("B").status(), "base45"));  // 3k+1 characters
  EXPECT_TRUE(IsInvalidArgument(Base45Decode("BB8B").status(), "base45"));
  // ":::" is 44 + 44*45 + 44*2025 = 91124 > 65535; "::" is 44 + 44*45 = 2024 > 255.
  EXPECT_TRUE(IsInvalidArgument(Base45Decode(":::").status(), "base45"));
  EXPECT_TRUE(IsInvalidArgument(Base45Decode("::").status(), "base45"));
  // The largest valid values: 65535 = "FGW", 255 = "U5".
  EXPECT_EQ(Base45Decode("FGW").value(), (Bytes{0xFF, 0xFF}));
  EXPECT_EQ(Base45Decode("U5").value(), Bytes{0xFF});
}

// --- zlib ---

TEST(InflateTest, RoundTrips) {
  Bytes data = B("a certificate, a certificate, a certificate");
  Bytes z = Deflate(data);
  EXPECT_EQ(z[0], 0x78);  // zlib header (RFC 1950), not raw deflate or gzip
  EXPECT_EQ(Inflate(z, 1000).value(), data);
}

TEST(InflateTest, RefusesABomb) {
  Bytes zeros(10 * 1024 * 1024, 0);
  Bytes bomb = Deflate(zeros);
  EXPECT_LT(bomb.size(), 20'000u);
  auto r = Inflate(bomb, 64 * 1024);
  EXPECT_TRUE(IsInvalidArgument(r.status(), "compression"));
  // The same data inflates when allowed to.
  EXPECT_EQ(Inflate(bomb, zeros.size()).value().size(), zeros.size());
}

TEST(InflateTest, ExactlyTheLimitIsAllowed) {
  Bytes data(1000, 'x');
  Bytes z = Deflate(data);
  EXPECT_TRUE(Inflate(z, 1000).ok());
  EXPECT_TRUE(IsInvalidArgument(Inflate(z, 999).status(), "compression"));
}

TEST(InflateTest, RefusesBrokenTruncatedAndTrailingData) {
  Bytes z = Deflate(B("hello hello hello hello"));
  EXPECT_TRUE(IsInvalidArgument(Inflate({}, 100).status(), "compression"));
  Bytes truncated(z.begin(), z.end() - 3);
  EXPECT_TRUE(IsInvalidArgument(Inflate(truncated, 100).status(), "compression"));
  Bytes trailing = z;
  trailing.push_back(0);
  EXPECT_TRUE(IsInvalidArgument(Inflate(trailing, 100).status(), "compression"));
  Bytes not_zlib = B("plain text, not compressed");
  EXPECT_TRUE(IsInvalidArgument(Inflate(not_zlib, 100).status(), "compression"));
  Bytes bad_checksum = z;
  bad_checksum.back() ^= 1;  // the Adler-32 at the end
  EXPECT_TRUE(IsInvalidArgument(Inflate(bad_checksum, 100).status(), "compression"));
}

// --- CBOR limits ---

Bytes Nested(size_t depth, uint8_t head = 0x81) {
  Bytes b(depth, head);  // 0x81: array of one item; 0xA1 would be a map of one pair
  b.push_back(0x00);
  return b;
}

TEST(CborLimitsTest, NestingTenThousandDeepIsRefusedAsCbor) {
  for (uint8_t head : {uint8_t{0x81}, uint8_t{0x9F}, uint8_t{0xD8}}) {
    Bytes deep;
    for (int i = 0; i < 10'000; ++i) {
      deep.push_back(head);
      if (head == 0xD8) deep.push_back(18);  // tag 18 (one-byte argument)
    }
    deep.push_back(0x00);
    EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(deep).status(), "cbor")) << int(head);
    EXPECT_TRUE(IsInvalidArgument(ParseCwt(deep).status(), "cbor")) << int(head);
  }
}

TEST(CborLimitsTest, RaisingTheLimitDoesNotLiftTheHardCap) {
  Limits huge;
  huge.max_cbor_depth = 1'000'000;
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Nested(10'000), huge).status(), "cbor"));
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Nested(65), huge).status(), "cbor"));
}

TEST(CborLimitsTest, DepthIsCountedExactly) {
  Limits l;
  l.max_cbor_depth = 3;
  // [[{1: 2}]] is three levels: accepted as CBOR (then refused as not a CWT map).
  Bytes three = {0x81, 0x81, 0xA1, 0x01, 0x02};
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(three, l).status(), "cwt"));
  Bytes four = {0x81, 0x81, 0x81, 0xA1, 0x01, 0x02};
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(four, l).status(), "cbor"));
}

TEST(CborLimitsTest, DeclaredLengthsBeyondTheDataAreRefused) {
  // An array claiming 2^32 items, a map claiming 2^61 pairs, a byte string claiming 2^63 bytes:
  // libcbor would try to allocate for them.
  Bytes big_array = {0x9A, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
  Bytes big_map = {0xBB, 0x20, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02};
  Bytes big_bstr = {0x5B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
  for (const Bytes& b : {big_array, big_map, big_bstr}) {
    EXPECT_TRUE(IsInvalidArgument(ParseCwt(b).status(), "cbor"));
  }
}

TEST(CborLimitsTest, MalformedAndTrailingBytesAreRefused) {
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{}).status(), "cbor"));
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xA1, 0x01}).status(), "cbor"));        // no value
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xA0, 0x00}).status(), "cbor"));        // trailing
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xFF}).status(), "cbor"));              // lone break
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0x1C}).status(), "cbor"));              // reserved
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xBF, 0x01, 0xFF}).status(), "cbor"));  // odd map
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0x5F, 0x61, 0x61, 0xFF}).status(), "cbor"));
  // A chunked map and chunked strings are well-formed CBOR.
  Bytes chunked = {0xBF, 0x01, 0x7F, 0x61, 0x4B, 0x61, 0x5A, 0xFF, 0xFF};  // {1: "KZ"}
  auto cwt = ParseCwt(chunked);
  ASSERT_TRUE(cwt.ok()) << cwt.status().ToString();
  EXPECT_EQ(cwt->iss, "KZ");
}

// --- COSE_Sign1 ---

CoseSign1 SampleCose() {
  auto signer = FixedSigner();
  auto kid = KidOf(signer.public_key());
  CoseSign1 c;
  c.protected_header = EncodeProtectedHeader(kAlgEdDSA, ByteView(kid));
  c.payload = EncodeCwt(SamplePayload());
  testing::Resign(c, signer);
  return c;
}

TEST(CoseTest, EncodesTag18AndParsesBack) {
  CoseSign1 c = SampleCose();
  Bytes bytes = EncodeCoseSign1(c);
  EXPECT_EQ(bytes[0], 0xD2);  // tag 18
  EXPECT_EQ(bytes[1], 0x84);  // array of 4
  auto parsed = ParseCoseSign1(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->protected_header, c.protected_header);
  EXPECT_EQ(parsed->alg, kAlgEdDSA);
  auto kid = KidOf(FixedSigner().public_key());
  EXPECT_EQ(parsed->kid_protected, Bytes(kid.begin(), kid.end()));
  EXPECT_FALSE(parsed->kid_unprotected.has_value());
  EXPECT_EQ(parsed->payload, c.payload);
  EXPECT_EQ(parsed->signature, c.signature);
}

TEST(CoseTest, ProtectedHeaderIsDeterministic) {
  Bytes kid(8, 0xAB);
  // {1: -8, 4: h'ABABABABABABABAB'}
  Bytes expected = {0xA2, 0x01, 0x27, 0x04, 0x48};
  expected.insert(expected.end(), kid.begin(), kid.end());
  EXPECT_EQ(EncodeProtectedHeader(kAlgEdDSA, ByteView(kid)), expected);
  EXPECT_TRUE(EncodeProtectedHeader(std::nullopt, std::nullopt).empty());
}

TEST(CoseTest, SigStructureIsTheRfc9052Array) {
  CoseSign1 c;
  c.protected_header = {0xA1, 0x01, 0x27};
  c.payload = {0x01, 0x02};
  // ["Signature1", h'A10127', h'', h'0102']
  Bytes expected = {0x84, 0x6A, 'S',  'i',  'g',  'n',  'a',  't',  'u',  'r',
                    'e',  '1',  0x43, 0xA1, 0x01, 0x27, 0x40, 0x42, 0x01, 0x02};
  EXPECT_EQ(SigStructure(c), expected);
}

TEST(CoseTest, AcceptsUntaggedAndCwtTaggedMessages) {
  CoseSign1 c = SampleCose();
  Bytes tagged = EncodeCoseSign1(c);
  Bytes untagged(tagged.begin() + 1, tagged.end());
  Bytes cwt_tagged = {0xD8, 0x3D};  // tag 61
  cwt_tagged.insert(cwt_tagged.end(), tagged.begin(), tagged.end());
  for (const Bytes& b : {untagged, cwt_tagged}) {
    auto parsed = ParseCoseSign1(b);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->payload, c.payload);
  }
}

TEST(CoseTest, RefusesOtherTagsAndShapes) {
  CoseSign1 c = SampleCose();
  Bytes tagged = EncodeCoseSign1(c);
  Bytes sign_tag = tagged;
  sign_tag[0] = 0xD1;  // tag 17: COSE_Mac0
  EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(sign_tag).status(), "cose"));
  Bytes cwt_untagged = {0xD8, 0x3D};  // tag 61 around an untagged array
  cwt_untagged.insert(cwt_untagged.end(), tagged.begin() + 1, tagged.end());
  EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(cwt_untagged).status(), "cose"));
  EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(Bytes{0xA0}).status(), "cose"));  // map
  EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(Bytes{0x83, 0x40, 0xA0, 0x40}).status(), "cose"));
  // Detached payload (nil), a text payload, a map as protected header.
  EXPECT_TRUE(
      IsInvalidArgument(ParseCoseSign1(Bytes{0x84, 0x40, 0xA0, 0xF6, 0x40}).status(), "cose"));
  EXPECT_TRUE(
      IsInvalidArgument(ParseCoseSign1(Bytes{0x84, 0x40, 0xA0, 0x60, 0x40}).status(), "cose"));
  EXPECT_TRUE(
      IsInvalidArgument(ParseCoseSign1(Bytes{0x84, 0xA0, 0xA0, 0x40, 0x40}).status(), "cose"));
  // A protected header that is not CBOR, or not a map.
  EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(Bytes{0x84, 0x41, 0xFF, 0xA0, 0x40, 0x40}).status(),
                                "cbor"));
  EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(Bytes{0x84, 0x41, 0x01, 0xA0, 0x40, 0x40}).status(),
                                "cose"));
}

TEST(CoseTest, KidRules) {
  // A kid that is not a byte string.
  Bytes text_kid = {0x84, 0x40, 0xA1, 0x04, 0x61, 'k', 0x40, 0x40};
  EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(text_kid).status(), "kid"));
  // Unprotected kid only: kid() falls back to it; protected wins when both are there.
  Bytes unprotected_only = {0x84, 0x40, 0xA1, 0x04, 0x42, 0x01, 0x02, 0x40, 0x40};
  auto u = ParseCoseSign1(unprotected_only);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->kid(), (Bytes{0x01, 0x02}));
  Bytes both = {0x84, 0x44, 0xA1, 0x04, 0x41, 0x09, 0xA1, 0x04, 0x42, 0x01, 0x02, 0x40, 0x40};
  auto b = ParseCoseSign1(both);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->kid(), Bytes{0x09});
  // Duplicate labels in one header.
  Bytes dup = {0x84, 0x40, 0xA2, 0x04, 0x41, 0x01, 0x04, 0x41, 0x02, 0x40, 0x40};
  EXPECT_TRUE(IsInvalidArgument(ParseCoseSign1(dup).status(), "cose"));
}

TEST(CoseTest, AlgFromTheUnprotectedHeaderOnlyWhenTheProtectedHasNone) {
  // protected {1: -8}, unprotected {1: -7}: the protected one counts.
  Bytes both = {0x84, 0x43, 0xA1, 0x01, 0x27, 0xA1, 0x01, 0x26, 0x40, 0x40};
  EXPECT_EQ(ParseCoseSign1(both)->alg, kAlgEdDSA);
  Bytes unprotected_only = {0x84, 0x40, 0xA1, 0x01, 0x26, 0x40, 0x40};
  EXPECT_EQ(ParseCoseSign1(unprotected_only)->alg, kAlgES256);
  Bytes none = {0x84, 0x40, 0xA0, 0x40, 0x40};
  EXPECT_FALSE(ParseCoseSign1(none)->alg.has_value());
}

// --- CWT ---

TEST(CwtTest, RoundTripsTheSamplePayload) {
  Hp1Payload p = SamplePayload();
  auto decoded = DecodeCwt(EncodeCwt(p));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  testing::ExpectSamePayload(decoded.value(), p);
}

TEST(CwtTest, EncodingStartsWithTheStandardClaimsInKeyOrder) {
  Bytes cwt = EncodeCwt(SamplePayload());
  // map(5), 1: "KZ-ABY", 4: exp, 6: iat, 7: h'<16>', then -65537 (0x3A 0x00010000).
  ASSERT_GT(cwt.size(), 40u);
  EXPECT_EQ(cwt[0], 0xA5);
  EXPECT_EQ(cwt[1], 0x01);
  EXPECT_EQ(cwt[2], 0x66);  // text(6)
  EXPECT_EQ(cwt[9], 0x04);
  EXPECT_EQ(cwt[10], 0x1A);  // 4-byte uint: seconds of 2026
  EXPECT_EQ(cwt[15], 0x06);
  EXPECT_EQ(cwt[21], 0x07);
  EXPECT_EQ(cwt[22], 0x50);  // bytes(16)
  EXPECT_EQ((Bytes{cwt[39], cwt[40], cwt[41], cwt[42], cwt[43]}),
            (Bytes{0x3A, 0x00, 0x01, 0x00, 0x00}));
  auto claims = ParseCwt(cwt);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->iss, "KZ-ABY");
  EXPECT_EQ(claims->iat, 1795921200);  // 2026-11-29T03:00:00Z
  EXPECT_EQ(claims->exp, 1795921200 + 3 * 86400);
  EXPECT_EQ(claims->cti, (Bytes{0x01, 0x90, 0xf1, 0xe4, 0x7a, 0x3b, 0x7c, 0x2d, 0x8e, 0x9f, 0x0a,
                                0x1b, 0x2c, 0x3d, 0x4e, 0x5f}));
}

TEST(CwtTest, FoldedTagsRoundTrip) {
  Hp1Payload p = SamplePayload();
  p.tags_sha256 = TagsDigest(p.tags);
  p.tag_count = 3;
  p.tags.clear();
  auto decoded = DecodeCwt(EncodeCwt(p));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  testing::ExpectSamePayload(decoded.value(), p);
}

TEST(CwtTest, StandardClaimErrorsAreCwt) {
  // Types: iss an int, iat a text, cti a text.
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xA1, 0x01, 0x01}).status(), "cwt"));
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xA1, 0x06, 0x61, '1'}).status(), "cwt"));
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xA1, 0x07, 0x61, '1'}).status(), "cwt"));
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0x80}).status(), "cwt"));
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xA2, 0x06, 0x01, 0x06, 0x02}).status(), "cwt"));
  // Invalid UTF-8 in a text string is not well-formed CBOR (RFC 8949 section 3.1).
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xA1, 0x01, 0x62, 0xC3, 0x28}).status(), "cbor"));
  // Other claims, text keys included, are ignored.
  auto ok = ParseCwt(Bytes{0xA2, 0x01, 0x61, 'X', 0x61, 'k', 0x01});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->iss, "X");
  // DecodeCwt needs iat, exp and a 16-byte cti.
  EXPECT_TRUE(IsInvalidArgument(DecodeCwt(Bytes{0xA1, 0x01, 0x61, 'X'}).status(), "cwt"));
}

// A CBOR double (major type 7, additional information 27): 0xFB and the 8 bytes big-endian.
Bytes CborDouble(double v) {
  const auto bits = std::bit_cast<uint64_t>(v);
  Bytes out = {0xFB};
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(bits >> shift));
  return out;
}

// RFC 8392 section 2: a NumericDate may have a fraction. The sample's exp and iat, written as
// doubles with a fraction, decode to the same whole seconds as the integers (truncated).
TEST(CwtTest, FloatTimesWithAFractionAreTruncatedToTheSecond) {
  const Hp1Payload p = SamplePayload();
  const Bytes cwt = EncodeCwt(p);
  // cwt[9] is key 4 (exp), cwt[10..14] its 4-byte uint; cwt[15] key 6 (iat), cwt[16..20] its value.
  ASSERT_EQ(cwt[10], 0x1A);
  ASSERT_EQ(cwt[16], 0x1A);
  const int64_t exp = 1795921200 + 3 * 86400;
  const int64_t iat = 1795921200;
  Bytes floats(cwt.begin(), cwt.begin() + 10);
  const Bytes exp_double = CborDouble(static_cast<double>(exp) + 0.75);
  floats.insert(floats.end(), exp_double.begin(), exp_double.end());
  floats.push_back(0x06);
  const Bytes iat_double = CborDouble(static_cast<double>(iat) + 0.25);
  floats.insert(floats.end(), iat_double.begin(), iat_double.end());
  floats.insert(floats.end(), cwt.begin() + 21, cwt.end());

  auto claims = ParseCwt(floats);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->exp, exp);
  EXPECT_EQ(claims->iat, iat);
  auto decoded = DecodeCwt(floats);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  testing::ExpectSamePayload(decoded.value(), p);
  // Written back, the times are integers again: the encoding is the original one.
  EXPECT_EQ(EncodeCwt(decoded.value()), cwt);
}

TEST(CwtTest, FloatTimesOfEveryWidthAndTheirLimits) {
  // Half (1.0), single (1.5) and double (-0.5) precision; floor, so -0.5 is -1.
  EXPECT_EQ(ParseCwt(Bytes{0xA1, 0x06, 0xF9, 0x3C, 0x00})->iat, 1);
  EXPECT_EQ(ParseCwt(Bytes{0xA1, 0x04, 0xFA, 0x3F, 0xC0, 0x00, 0x00})->exp, 1);
  Bytes negative = {0xA1, 0x06};
  for (uint8_t b : CborDouble(-0.5)) negative.push_back(b);
  EXPECT_EQ(ParseCwt(negative)->iat, -1);
  // NaN and infinity are no NumericDate.
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    Bytes b = {0xA1, 0x04};
    for (uint8_t x : CborDouble(bad)) b.push_back(x);
    auto r = ParseCwt(b);
    EXPECT_TRUE(IsInvalidArgument(r.status(), "cwt")) << bad;
    EXPECT_EQ(r.status().message(), "exp is not a NumericDate (an integer or a float)");
  }
  // A float far beyond the year 9999 is refused like such an integer, not cast out of range.
  Hp1Payload p = SamplePayload();
  Bytes cwt = EncodeCwt(p);
  Bytes far(cwt.begin(), cwt.begin() + 10);
  for (uint8_t b : CborDouble(1e300)) far.push_back(b);
  far.insert(far.end(), cwt.begin() + 15, cwt.end());
  auto r = DecodeCwt(far);
  EXPECT_TRUE(IsInvalidArgument(r.status(), "cwt"));
  EXPECT_EQ(r.status().message(), "iat or exp is outside the years 0000-9999");
  // A bool is still no time.
  EXPECT_TRUE(IsInvalidArgument(ParseCwt(Bytes{0xA1, 0x06, 0xF5}).status(), "cwt"));
}

TEST(CwtTest, CertificateClaimErrorsAreClaim) {
  Hp1Payload p = SamplePayload();
  Bytes cwt = EncodeCwt(p);
  // Remove the certificate claim: rewrite the header map(5) -> map(4) and cut from -65537 on.
  Bytes no_claim(cwt.begin(), cwt.begin() + 39);
  no_claim[0] = 0xA4;
  EXPECT_TRUE(IsInvalidArgument(DecodeCwt(no_claim).status(), "claim"));
  // The claim as an integer instead of a map.
  Bytes int_claim = no_claim;
  int_claim[0] = 0xA5;
  for (uint8_t b : {0x3A, 0x00, 0x01, 0x00, 0x00, 0x01}) int_claim.push_back(b);
  EXPECT_TRUE(IsInvalidArgument(DecodeCwt(int_claim).status(), "claim"));
  // A vaccination date that is not a calendar day.
  p.vaccinations[0].administered_on = Date::FromDays(0);
  Bytes good = EncodeCwt(p);
  std::string s(good.begin(), good.end());
  size_t at = s.find("1970-01-01");
  ASSERT_NE(at, std::string::npos);
  s.replace(at, 10, "1970-02-30");
  EXPECT_TRUE(IsInvalidArgument(DecodeCwt(Bytes(s.begin(), s.end())).status(), "claim"));
}

TEST(TagsDigestTest, IsSha256OfTheSortedTagsJoinedByNewlines) {
  // sha256("a\nb") computed independently: printf 'a\nb' | sha256sum
  EXPECT_EQ(TagsDigest({"b", "a"}),
            "7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78");
  EXPECT_EQ(TagsDigest({"a", "b"}), TagsDigest({"b", "a"}));
}

}  // namespace
}  // namespace herdpass::cert
