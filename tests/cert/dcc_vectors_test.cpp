// The EU Digital COVID Certificate common test vectors (../shared/dcc-testdata/common, see its
// README.md and BasicDgcTestsList.md) through cert/'s stages. HC1 is the same pipeline as HP1
// ("HC1:" + base45(zlib(COSE_Sign1(CWT)))), with ES256 and PS256 keys in X.509 certificates: a
// decoder that agrees with every vector at every stage agrees with the wider COSE/CBOR/base45
// world, which our own round trips alone cannot show.
//
// Each file is one test case. For every stage that has an EXPECTEDRESULTS key, the stage's outcome
// must equal it; after a stage expected to fail nothing more is checked. Stages with no key must
// succeed (the vectors are well formed except where they say otherwise). Intermediate values given
// in the file (BASE45, COMPRESSED, COSE hex; CBOR and JSON, the DCC payload) must match ours.
//
// Skipped, because they test the DCC's own content rules rather than the pipeline:
// EXPECTEDSCHEMAVALIDATION (the DCC JSON schema), EXPECTEDKEYUSAGE (extended key usage OIDs of
// the signer's certificate against the DCC type). EXPECTEDPICTUREDECODE (reading the QR image,
// 2DCODE) belongs to the QR code tests of hp_qr, not to the text pipeline tested here.
#include <cbor.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cert/hp1.h"
#include "tests/domain/status_matchers.h"

#ifndef HERDPASS_DCC_TESTDATA
#error "HERDPASS_DCC_TESTDATA must name the dcc-testdata directory (tests/cert/CMakeLists.txt)"
#endif

namespace herdpass::cert {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCommon = fs::path(HERDPASS_DCC_TESTDATA) / "common";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kCommon, ec)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Hex(ByteView b) { return KidHex(b); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Bytes FromHex(const std::string& hex) {
  Bytes out(hex.size() / 2);
  size_t len = 0;
  EXPECT_EQ(sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr),
            0);
  out.resize(len);
  return out;
}

Bytes FromBase64(const std::string& b64) {
  Bytes out(b64.size());
  size_t len = 0;
  EXPECT_EQ(sodium_base642bin(out.data(), out.size(), b64.data(), b64.size(), nullptr, &len,
                              nullptr, sodium_base64_VARIANT_ORIGINAL),
            0);
  out.resize(len);
  return out;
}

// A CBOR item as JSON, to compare the DCC payload with the vector's CBOR and JSON. Test input is
// trusted and shallow, so plain recursion is fine here.
std::optional<json> ToJson(const cbor_item_t* item) {
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT:
      return json(cbor_get_int(item));
    case CBOR_TYPE_NEGINT:
      return json(-1 - static_cast<int64_t>(cbor_get_int(item)));
    case CBOR_TYPE_STRING: {
      if (!cbor_string_is_definite(item)) return std::nullopt;
      return json(std::string(reinterpret_cast<const char*>(cbor_string_handle(item)),
                              cbor_string_length(item)));
    }
    case CBOR_TYPE_ARRAY: {
      json a = json::array();
      for (size_t i = 0; i < cbor_array_size(item); ++i) {
        auto v = ToJson(cbor_array_handle(item)[i]);
        if (!v) return std::nullopt;
        a.push_back(*v);
      }
      return a;
    }
    case CBOR_TYPE_MAP: {
      json o = json::object();
      for (size_t i = 0; i < cbor_map_size(item); ++i) {
        const cbor_pair& p = cbor_map_handle(item)[i];
        if (!cbor_isa_string(p.key)) return std::nullopt;
        auto k = ToJson(p.key);
        auto v = ToJson(p.value);
        if (!k || !v) return std::nullopt;
        o[k->get<std::string>()] = *v;
      }
      return o;
    }
    case CBOR_TYPE_FLOAT_CTRL:
      if (cbor_float_ctrl_is_ctrl(item)) {
        if (cbor_is_null(item)) return json(nullptr);
        if (cbor_is_bool(item)) return json(cbor_get_bool(item));
        return std::nullopt;
      }
      return json(cbor_float_get_float(item));
    default:
      return std::nullopt;  // byte strings and tags have no JSON form in a DCC
  }
}

std::optional<json> CborToJson(ByteView bytes) {
  cbor_load_result r{};
  cbor_item_t* item = cbor_load(bytes.data(), bytes.size(), &r);
  if (item == nullptr) return std::nullopt;
  std::optional<json> j;
  if (r.error.code == CBOR_ERR_NONE && r.read == bytes.size()) j = ToJson(item);
  cbor_decref(&item);
  return j;
}

// The DCC inside a CWT payload: claim -260 (hcert), key 1 (the EU DCC), as JSON; nullopt when
// missing or not a map of text keys (test CBO1 puts a byte string there).
std::optional<json> HcertOf(ByteView payload) {
  cbor_load_result r{};
  cbor_item_t* cwt = cbor_load(payload.data(), payload.size(), &r);
  if (cwt == nullptr) return std::nullopt;
  std::optional<json> out;
  if (cbor_isa_map(cwt)) {
    for (size_t i = 0; i < cbor_map_size(cwt); ++i) {
      const cbor_pair& p = cbor_map_handle(cwt)[i];
      if (!cbor_isa_negint(p.key) || cbor_get_int(p.key) != 259 || !cbor_isa_map(p.value)) {
        continue;  // -260 is stored as -1 - 259
      }
      for (size_t k = 0; k < cbor_map_size(p.value); ++k) {
        const cbor_pair& q = cbor_map_handle(p.value)[k];
        if (cbor_isa_uint(q.key) && cbor_get_int(q.key) == 1 && cbor_isa_map(q.value)) {
          out = ToJson(q.value);
        }
      }
    }
  }
  cbor_decref(&cwt);
  return out;
}

TEST(DccVectorsTest, TheVectorsArePresent) {
  ASSERT_TRUE(fs::is_directory(kCommon))
      << kCommon << " is missing: the DCC test vectors live in tests/cert/dcc-testdata "
      << "(see tests/cert/CMakeLists.txt)";
  EXPECT_GE(CaseNames().size(), 30u);
}

class DccVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DccVectorTest, EveryExpectedStageAgrees) {
  ASSERT_GE(sodium_init(), 0);
  std::ifstream in(kCommon / (GetParam() + ".json"));
  ASSERT_TRUE(in) << GetParam();
  const json d = json::parse(in);
  const json& expected = d.at("EXPECTEDRESULTS");

  static const std::set<std::string> kChecked = {
      "EXPECTEDUNPREFIX",      "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION",
      "EXPECTEDDECOMPRESSION", "EXPECTEDDECODE",    "EXPECTEDVALIDSTRUCTURE",
      "EXPECTEDVALIDJSON",     "EXPECTEDVERIFY",    "EXPECTEDEXPIRATIONCHECK"};
  static const std::set<std::string> kSkipped = {"EXPECTEDSCHEMAVALIDATION", "EXPECTEDKEYUSAGE",
                                                 "EXPECTEDPICTUREDECODE"};
  bool any_checked_false = false;
  for (const auto& [key, value] : expected.items()) {
    ASSERT_TRUE(kChecked.count(key) || kSkipped.count(key)) << "unknown expectation " << key;
    if (kChecked.count(key) && value == false) any_checked_false = true;
  }
  // A stage with no expectation must succeed unless a stage is expected to fail somewhere.
  auto expect_stage = [&](std::initializer_list<const char*> keys, bool ok,
                          const std::string& why) {
    for (const char* key : keys) {
      if (expected.contains(key)) {
        EXPECT_EQ(ok, expected[key].get<bool>()) << GetParam() << " " << key << ": " << why;
        return;
      }
    }
    if (!any_checked_false) {
      EXPECT_TRUE(ok) << GetParam() << ": " << why;
    }
  };

  // 1. Prefix.
  const std::string text = d.at("PREFIX");
  auto body = StripPrefix(text, "HC1:");
  expect_stage({"EXPECTEDUNPREFIX"}, body.ok(), body.status().ToString());
  if (!body.ok()) return;
  if (d.contains("BASE45")) {
    EXPECT_EQ(body.value(), d["BASE45"].get<std::string>());
  }

  // 2. base45.
  auto compressed = Base45Decode(body.value());
  expect_stage({"EXPECTEDB45DECODE"}, compressed.ok(), compressed.status().ToString());
  if (!compressed.ok()) return;
  if (d.contains("COMPRESSED")) {
    EXPECT_EQ(Hex(compressed.value()), Lower(d["COMPRESSED"]));
  }

  // 3. zlib. The files name this stage EXPECTEDCOMPRESSION.
  auto cose_bytes = Inflate(compressed.value(), Limits{}.max_inflated);
  expect_stage({"EXPECTEDCOMPRESSION", "EXPECTEDDECOMPRESSION"}, cose_bytes.ok(),
               cose_bytes.status().ToString());
  if (!cose_bytes.ok()) return;
  if (d.contains("COSE")) {
    EXPECT_EQ(Hex(cose_bytes.value()), Lower(d["COSE"]));
  }

  // 4-5. COSE_Sign1, the CWT and the DCC inside it.
  auto cose = ParseCoseSign1(cose_bytes.value());
  auto claims = cose.ok() ? ParseCwt(cose->payload) : Result<CwtClaims>(cose.status());
  std::optional<json> hcert = claims.ok() ? HcertOf(cose->payload) : std::nullopt;
  const bool decoded = cose.ok() && claims.ok() && hcert.has_value();
  const std::string decode_why = !cose.ok()     ? cose.status().ToString()
                                 : !claims.ok() ? claims.status().ToString()
                                                : "no DCC map in claim -260";
  expect_stage({"EXPECTEDDECODE", "EXPECTEDVALIDSTRUCTURE"}, decoded, decode_why);
  if (decoded) {
    if (d.contains("CBOR")) {
      auto given = CborToJson(FromHex(d["CBOR"]));
      ASSERT_TRUE(given.has_value()) << "the vector's CBOR does not convert";
      EXPECT_EQ(*hcert, *given) << GetParam() << ": payload differs from the vector's CBOR";
    }
    if (d.contains("JSON")) {
      expect_stage({"EXPECTEDVALIDJSON"}, *hcert == d["JSON"], "payload differs from JSON");
    }
  }

  // Signature: the kid the COSE message names must be the signer certificate's (SHA-256 of its
  // DER, first 8 bytes) and the signature must verify with its key.
  if (expected.contains("EXPECTEDVERIFY") || !any_checked_false) {
    const Bytes der = FromBase64(d.at("TESTCTX").at("CERTIFICATE"));
    auto key = VerifyKeyOfCertificate(der);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    std::string why;
    bool verified = false;
    if (!cose.ok()) {
      why = cose.status().ToString();
    } else {
      auto kid = cose->kid();
      auto cert_kid = KidOf(der);
      if (!kid || *kid != Bytes(cert_kid.begin(), cert_kid.end())) {
        why = "kid " + (kid ? Hex(*kid) : std::string("missing")) + " is not the certificate's " +
              Hex(cert_kid);
      } else {
        Status s = VerifySignature(cose.value(), key.value());
        verified = s.ok();
        why = s.ToString();
      }
    }
    expect_stage({"EXPECTEDVERIFY"}, verified, why);
  }

  // Validity window at the vector's clock.
  if (claims.ok() && (expected.contains("EXPECTEDEXPIRATIONCHECK") || !any_checked_false)) {
    auto clock = ParseRfc3339(d.at("TESTCTX").at("VALIDATIONCLOCK").get<std::string>());
    ASSERT_TRUE(clock.ok());
    Status window = CheckValidityWindow(claims.value(), clock.value());
    expect_stage({"EXPECTEDEXPIRATIONCHECK"}, window.ok(), window.ToString());
  }
}

INSTANTIATE_TEST_SUITE_P(Common, DccVectorTest, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// --- cases of BasicDgcTestsList.md that have no file, built from the ones that do ---

struct Loaded {
  CoseSign1 cose;
  Bytes der;
};

Loaded Load(const std::string& name) {
  std::ifstream in(kCommon / (name + ".json"));
  const json d = json::parse(in);
  const std::string text = d.at("PREFIX");
  auto body = StripPrefix(text, "HC1:");
  auto cose = ParseCoseSign1(Inflate(Base45Decode(body.value()).value(), 1 << 16).value());
  EXPECT_TRUE(cose.ok()) << name;
  return {cose.value(), FromBase64(d.at("TESTCTX").at("CERTIFICATE"))};
}

TEST(DccDerivedTest, ValidVectorsVerify) {
  for (const char* name : {"CO1", "CO2", "CO3", "CO28"}) {
    Loaded l = Load(name);
    auto key = VerifyKeyOfCertificate(l.der);
    ASSERT_TRUE(key.ok());
    EXPECT_TRUE(VerifySignature(l.cose, key.value()).ok()) << name;
  }
  EXPECT_EQ(VerifyKeyOfCertificate(Load("CO1").der)->alg, kAlgPS256);
  EXPECT_EQ(VerifyKeyOfCertificate(Load("CO3").der)->alg, kAlgES256);
}

TEST(DccDerivedTest, CO4AlgorithmNotSupported) {
  Loaded l = Load("CO3");
  l.cose.alg = -35;  // ES384
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifySignature(l.cose, VerifyKeyOfCertificate(l.der).value()), "algorithm"));
}

TEST(DccDerivedTest, CO24OverlongEcdsaSignatureFailsCleanly) {
  Loaded l = Load("CO3");
  l.cose.signature.resize(72, 0x01);
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifySignature(l.cose, VerifyKeyOfCertificate(l.der).value()), "signature"));
  l.cose.signature.resize(2000, 0xFF);
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifySignature(l.cose, VerifyKeyOfCertificate(l.der).value()), "signature"));
}

TEST(DccDerivedTest, CO27WrongAlgorithmForTheKeyIsRefused) {
  // An ECDSA signature labelled PS256, checked with the EC key: the alg does not match the key.
  Loaded ec = Load("CO3");
  ec.cose.alg = kAlgPS256;
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifySignature(ec.cose, VerifyKeyOfCertificate(ec.der).value()), "algorithm"));
  // A key claimed to be PS256 that is really EC, and ES256 claimed for an RSA certificate.
  Loaded ec2 = Load("CO3");
  ec2.cose.alg = kAlgPS256;
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifySignature(ec2.cose, VerifyKey{kAlgPS256, ec2.der}), "algorithm"));
  Loaded rsa = Load("CO1");
  rsa.cose.alg = kAlgES256;
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifySignature(rsa.cose, VerifyKey{kAlgES256, rsa.der}), "algorithm"));
  // An EdDSA label with an X.509 certificate as the key.
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifySignature(rsa.cose, VerifyKey{kAlgEdDSA, rsa.der}), "algorithm"));
}

TEST(DccDerivedTest, TamperedPayloadFailsForEs256AndPs256) {
  for (const char* name : {"CO1", "CO3"}) {
    Loaded l = Load(name);
    l.cose.payload[l.cose.payload.size() / 2] ^= 0x01;
    EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
        VerifySignature(l.cose, VerifyKeyOfCertificate(l.der).value()), "signature"))
        << name;
  }
}

TEST(DccDerivedTest, ACertificateThatIsNotDerIsRefused) {
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifyKeyOfCertificate(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}).status(), "cose"));
  Loaded l = Load("CO3");
  Bytes truncated(l.der.begin(), l.der.end() - 5);
  EXPECT_TRUE(herdpass::testing::IsInvalidArgument(
      VerifySignature(l.cose, VerifyKey{kAlgES256, truncated}), "algorithm"));
}

}  // namespace
}  // namespace herdpass::cert
