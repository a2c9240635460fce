// Signed trust and revocation lists (JWS): round trips, and refusal of every forgery with the
// field "trust_list" / "revocation_list".
#include "cert/documents.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/cert/cert_test_util.h"
#include "tests/domain/status_matchers.h"

namespace herdpass::cert {
namespace {

using herdpass::testing::IsInvalidArgument;
using nlohmann::json;
using testing::FixedSigner;
using testing::T;

std::string B64(const Bytes& b) {
  char out[128];
  sodium_bin2base64(out, sizeof out, b.data(), b.size(), sodium_base64_VARIANT_ORIGINAL);
  return out;
}

std::string B64Url(std::string_view s) {
  std::string out(sodium_base64_encoded_len(s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

std::string FromB64Url(const std::string& s) {
  std::string out(s.size(), '\0');
  size_t len = 0;
  EXPECT_EQ(
      sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(),
                        s.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
      0);
  out.resize(len);
  return out;
}

SigningKey KeyOf(const Ed25519Signer& s, std::string authority, bool root) {
  SigningKey k;
  k.kid = s.kid_hex();
  k.authority = std::move(authority);
  k.country = "KZ";
  k.public_key = B64(s.public_key());
  k.root = root;
  k.valid_from = T("2026-01-01T00:00:00Z");
  k.valid_until = T("2030-01-01T00:00:00Z");
  return k;
}

class DocumentsTest : public ::testing::Test {
 protected:
  DocumentsTest() : root_(FixedSigner(1)), signing_(FixedSigner(2)), retired_(FixedSigner(3)) {
    EXPECT_GE(sodium_init(), 0);
    root_key_ = KeyOf(root_, "KZ", true);
    list_.country = "KZ";
    list_.sequence = 4;
    list_.issued_at = T("2026-11-29T00:00:00Z");
    list_.keys = {KeyOf(signing_, "KZ-ABY", false), KeyOf(retired_, "KZ-ALA", false)};
    list_.keys[1].retired_at = T("2026-06-01T00:00:00Z");
  }

  Ed25519Signer root_, signing_, retired_;
  SigningKey root_key_;
  TrustList list_;
};

TEST_F(DocumentsTest, TrustListRoundTrip) {
  std::string jws = SignTrustList(list_, root_);
  auto opened = OpenTrustList(jws, {root_key_});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->country, "KZ");
  EXPECT_EQ(opened->sequence, 4);
  EXPECT_EQ(opened->issued_at, list_.issued_at);
  ASSERT_EQ(opened->keys.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(opened->keys[i].kid, list_.keys[i].kid);
    EXPECT_EQ(opened->keys[i].authority, list_.keys[i].authority);
    EXPECT_EQ(opened->keys[i].public_key, list_.keys[i].public_key);
    EXPECT_EQ(opened->keys[i].valid_from, list_.keys[i].valid_from);
    EXPECT_EQ(opened->keys[i].valid_until, list_.keys[i].valid_until);
    EXPECT_EQ(opened->keys[i].retired_at, list_.keys[i].retired_at);
    EXPECT_FALSE(opened->keys[i].root);
    EXPECT_EQ(opened->keys[i].source, "import:KZ");
  }
}

TEST_F(DocumentsTest, JwsIsFlattenedJsonWithEdDsaOverTheSigningInput) {
  json jws = json::parse(SignTrustList(list_, root_));
  ASSERT_TRUE(jws.is_object());
  EXPECT_EQ(jws.size(), 3u);
  std::string protected_b64 = jws["protected"];
  std::string payload_b64 = jws["payload"];
  std::string signature_b64 = jws["signature"];
  EXPECT_EQ(protected_b64.find('='), std::string::npos);  // no padding
  json header = json::parse(FromB64Url(protected_b64));
  EXPECT_EQ(
      header,
      (json{{"alg", "EdDSA"}, {"kid", root_.kid_hex()}, {"typ", "herdpass-trust-list+json"}}));
  json payload = json::parse(FromB64Url(payload_b64));
  EXPECT_EQ(payload["type"], "herdpass-trust-list");
  EXPECT_EQ(payload["version"], 1);
  EXPECT_EQ(payload["keys"][1]["retired_at"], "2026-06-01T00:00:00.000Z");
  EXPECT_FALSE(payload["keys"][0].contains("retired_at"));
  // The signature verifies with plain libsodium over ASCII(protected "." payload).
  std::string sig = FromB64Url(signature_b64);
  std::string input = protected_b64 + "." + payload_b64;
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_EQ(crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                        reinterpret_cast<const unsigned char*>(input.data()),
                                        input.size(), root_.public_key().data()),
            0);
}

TEST_F(DocumentsTest, TrustListWithABadSignatureIsRefused) {
  json jws = json::parse(SignTrustList(list_, root_));
  // Change the payload: add a key of the attacker's, keep the signature.
  json payload = json::parse(FromB64Url(jws["payload"]));
  payload["keys"].push_back(payload["keys"][0]);
  payload["keys"][2]["authority"] = "KZ-EVIL";
  jws["payload"] = B64Url(payload.dump());
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(jws.dump(), {root_key_}).status(), "trust_list"));
  // Or flip one bit of the signature.
  json flipped = json::parse(SignTrustList(list_, root_));
  std::string sig = flipped["signature"];
  sig[5] = sig[5] == 'A' ? 'B' : 'A';
  flipped["signature"] = sig;
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(flipped.dump(), {root_key_}).status(), "trust_list"));
}

TEST_F(DocumentsTest, TrustListSignedByAnUnpinnedKeyIsRefused) {
  std::string jws = SignTrustList(list_, signing_);  // a signing key, not the root
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(jws, {root_key_}).status(), "trust_list"));
  EXPECT_TRUE(
      IsInvalidArgument(OpenTrustList(SignTrustList(list_, root_), {}).status(), "trust_list"));
}

TEST_F(DocumentsTest, PinnedRootWhoseKidDoesNotMatchItsKeyIsNotUsed) {
  SigningKey wrong = root_key_;
  wrong.public_key = B64(signing_.public_key());
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(SignTrustList(list_, root_), {wrong}).status(),
                                "trust_list"));
}

TEST_F(DocumentsTest, ARootVouchesForItsOwnCountryOnly) {
  TrustList foreign = list_;
  foreign.country = "CN";
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(SignTrustList(foreign, root_), {root_key_}).status(),
                                "trust_list"));
  TrustList smuggled = list_;
  smuggled.keys[0].country = "CN";
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(SignTrustList(smuggled, root_), {root_key_}).status(),
                                "trust_list"));
}

TEST_F(DocumentsTest, TrustListKeyWhoseKidIsNotItsHashIsRefused) {
  TrustList bad = list_;
  bad.keys[0].kid = retired_.kid_hex();  // signing_'s key under retired_'s kid
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(SignTrustList(bad, root_), {root_key_}).status(),
                                "trust_list"));
}

TEST_F(DocumentsTest, RevocationListCannotPassAsATrustList) {
  RevocationList r;
  r.authority = "KZ";
  r.sequence = 1;
  r.issued_at = T("2026-11-29T00:00:00Z");
  std::string jws = SignRevocationList(r, root_);
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(jws, {root_key_}).status(), "trust_list"));
}

TEST_F(DocumentsTest, GarbageIsRefusedWithTheField) {
  for (std::string_view junk :
       {"", "{", "[]", "{\"protected\":1}",
        "{\"protected\":\"!!\",\"payload\":\"\",\"signature\":\"\"}", "null", "\"x\""}) {
    EXPECT_TRUE(IsInvalidArgument(OpenTrustList(junk, {root_key_}).status(), "trust_list")) << junk;
    EXPECT_TRUE(IsInvalidArgument(OpenRevocationList(junk, list_.keys).status(), "revocation_list"))
        << junk;
  }
  // Deeply nested JSON does not crash the parser.
  std::string deep(100'000, '[');
  EXPECT_TRUE(IsInvalidArgument(OpenTrustList(deep, {root_key_}).status(), "trust_list"));
}

TEST_F(DocumentsTest, TrustListCountryIsReadWithoutTheSignature) {
  EXPECT_EQ(TrustListCountry(SignTrustList(list_, root_)), "KZ");
  // Read before any key is known: a list signed by anyone still names its country.
  list_.country = "CN";
  json jws = json::parse(SignTrustList(list_, signing_));
  jws["signature"] = "AAAA";
  EXPECT_EQ(TrustListCountry(jws.dump()), "CN");
}

TEST_F(DocumentsTest, TrustListCountryOfWhatNamesNoCountryIsNothing) {
  const std::string no_country = B64Url(R"({"type":"herdpass-trust-list"})");
  const std::string number_country = B64Url(R"({"country":7})");
  for (const std::string& junk :
       {std::string(""), std::string("{"), std::string("[]"), std::string("null"),
        std::string(R"({"payload":1})"), std::string(R"({"payload":"!!"})"),
        R"({"payload":")" + B64Url("[\"KZ\"]") + "\"}", R"({"payload":")" + no_country + "\"}",
        R"({"payload":")" + number_country + "\"}"}) {
    EXPECT_EQ(TrustListCountry(junk), std::nullopt) << junk;
  }
  EXPECT_EQ(TrustListCountry(R"({"payload":")" + B64Url(R"({"country":"UZ"})") + "\"}"), "UZ");
}

TEST_F(DocumentsTest, RevocationListRoundTrip) {
  RevocationList r;
  r.authority = "KZ-ABY";
  r.sequence = 17;
  r.issued_at = T("2026-11-29T10:00:00Z");
  r.revoked_hashes = {RevocationHash("0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f").value()};
  auto opened = OpenRevocationList(SignRevocationList(r, signing_), list_.keys);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->authority, "KZ-ABY");
  EXPECT_EQ(opened->sequence, 17);
  EXPECT_EQ(opened->issued_at, r.issued_at);
  EXPECT_EQ(opened->revoked_hashes, r.revoked_hashes);
}

// W14: zones published with the revocation list.
PublishedZone Zone7() {
  PublishedZone z;
  z.id = 7;
  z.disease = "FMD-O";
  z.species = {"cattle", "sheep"};
  z.starts_on = Date::Parse("2026-12-01").value();
  z.ends_on = Date::Parse("2026-12-21").value();
  z.certificates = {RevocationHash("0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f").value()};
  return z;
}

// `payload` signed by `signer` as a revocation list JWS, for payloads SignRevocationList never
// makes.
std::string SignedRevocationPayload(const json& payload, const Ed25519Signer& signer) {
  const std::string header = B64Url(
      json{{"alg", "EdDSA"}, {"kid", signer.kid_hex()}, {"typ", "herdpass-revocation-list+json"}}
          .dump());
  const std::string body = B64Url(payload.dump());
  const std::string input = header + "." + body;
  const Bytes sig =
      signer.Sign(ByteView(reinterpret_cast<const uint8_t*>(input.data()), input.size()));
  return json{{"protected", header},
              {"payload", body},
              {"signature",
               B64Url(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()))}}
      .dump();
}

TEST_F(DocumentsTest, ARevocationListWithoutZonesIsTheDocumentItWasBeforeZones) {
  RevocationList r;
  r.authority = "KZ-ABY";
  r.sequence = 3;
  r.issued_at = T("2026-11-29T10:00:00Z");
  const json payload =
      json::parse(FromB64Url(json::parse(SignRevocationList(r, signing_))["payload"]));
  EXPECT_FALSE(payload.contains("zones")) << payload.dump();
  auto opened = OpenRevocationList(SignRevocationList(r, signing_), list_.keys);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->zones.empty());
}

TEST_F(DocumentsTest, ZonesRoundTripWithTheRevocationList) {
  RevocationList r;
  r.authority = "KZ-ABY";
  r.sequence = 3;
  r.issued_at = T("2026-11-29T10:00:00Z");
  PublishedZone by_code;
  by_code.id = 8;
  by_code.disease = "SGP";
  by_code.species = {"sheep"};
  by_code.starts_on = Date::Parse("2026-12-05").value();
  by_code.ends_on = Date::Parse("2026-12-26").value();
  by_code.authorities = {"KZ-ALM"};
  r.zones = {Zone7(), by_code};
  const std::string jws = SignRevocationList(r, signing_);
  const json payload = json::parse(FromB64Url(json::parse(jws)["payload"]));
  EXPECT_EQ(payload["zones"][0], (json{{"id", 7},
                                       {"disease", "FMD-O"},
                                       {"species", {"cattle", "sheep"}},
                                       {"starts_on", "2026-12-01"},
                                       {"ends_on", "2026-12-21"},
                                       {"certificates", Zone7().certificates}}));
  EXPECT_EQ(payload["zones"][1]["authorities"], json::array({"KZ-ALM"}));
  auto opened = OpenRevocationList(jws, list_.keys);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ(opened->zones.size(), 2u);
  EXPECT_EQ(opened->zones[0].id, 7);
  EXPECT_EQ(opened->zones[0].species, Zone7().species);
  EXPECT_EQ(opened->zones[0].starts_on, Zone7().starts_on);
  EXPECT_EQ(opened->zones[0].ends_on, Zone7().ends_on);
  EXPECT_EQ(opened->zones[0].certificates, Zone7().certificates);
  EXPECT_TRUE(opened->zones[0].authorities.empty());
  EXPECT_EQ(opened->zones[1].authorities, by_code.authorities);
}

// The zones' days are the publishing node's local days: the list says its offset, and a verifier
// judges the zones on the day in that offset, whatever its own clock's zone.
TEST_F(DocumentsTest, TheZonesOffsetTravelsWithTheListAndSetsTheVerifiersDay) {
  RevocationList r;
  r.authority = "KZ-ABY";
  r.sequence = 3;
  r.issued_at = T("2026-11-29T10:00:00Z");
  r.zones = {Zone7()};
  r.zones_utc_offset = std::chrono::minutes(300);
  const std::string jws = SignRevocationList(r, signing_);
  EXPECT_EQ(json::parse(FromB64Url(json::parse(jws)["payload"]))["zones_utc_offset_minutes"], 300);
  auto opened = OpenRevocationList(jws, list_.keys);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_TRUE(opened->zones_utc_offset.has_value());
  EXPECT_EQ(opened->zones_utc_offset->count(), 300);
  // 20:00 UTC on 30 November is 1 December at UTC+05:00, the zone's first day.
  const Timestamp evening = T("2026-11-30T20:00:00Z");
  EXPECT_EQ(ZoneDayOf(*opened, evening, std::chrono::minutes(0)),
            Date::Parse("2026-12-01").value());
  EXPECT_EQ(OfflineZoneWarnings(*opened, Zone7().certificates[0], "sheep", "KZ-ABY-01",
                                ZoneDayOf(*opened, evening, std::chrono::minutes(0)))
                .size(),
            1u);
  // A list without the member (made before it): the verifier's own offset.
  RevocationList old = *opened;
  old.zones_utc_offset.reset();
  EXPECT_EQ(ZoneDayOf(old, evening, std::chrono::minutes(0)), Date::Parse("2026-11-30").value());
  EXPECT_EQ(ZoneDayOf(old, evening, std::chrono::minutes(240)), Date::Parse("2026-12-01").value());
  // Without zones the list is the document it was before zones: no offset either.
  r.zones.clear();
  EXPECT_FALSE(json::parse(FromB64Url(json::parse(SignRevocationList(r, signing_))["payload"]))
                   .contains("zones_utc_offset_minutes"));
}

TEST_F(DocumentsTest, AZonesOffsetThatIsNoOffsetRefusesTheRevocationList) {
  json doc = {{"type", "herdpass-revocation-list"},
              {"version", 1},
              {"authority", "KZ-ABY"},
              {"sequence", 1},
              {"issued_at", "2026-11-29T10:00:00Z"},
              {"revoked", json::array()},
              {"zones", json::array()}};
  doc["zones_utc_offset_minutes"] = -720;
  ASSERT_TRUE(OpenRevocationList(SignedRevocationPayload(doc, signing_), list_.keys).ok());
  for (const json& bad : {json(841), json(-721), json(30.5), json("300"), json(nullptr)}) {
    doc["zones_utc_offset_minutes"] = bad;
    EXPECT_TRUE(IsInvalidArgument(
        OpenRevocationList(SignedRevocationPayload(doc, signing_), list_.keys).status(),
        "revocation_list"))
        << bad.dump();
  }
}

TEST_F(DocumentsTest, MalformedZonesRefuseTheRevocationList) {
  json base = {{"type", "herdpass-revocation-list"},
               {"version", 1},
               {"authority", "KZ-ABY"},
               {"sequence", 1},
               {"issued_at", "2026-11-29T10:00:00Z"},
               {"revoked", json::array()}};
  const json good = {{"id", 7},
                     {"disease", "FMD-O"},
                     {"species", {"cattle"}},
                     {"starts_on", "2026-12-01"},
                     {"ends_on", "2026-12-21"},
                     {"certificates", json::array()}};
  json ok = base;
  ok["zones"] = json::array({good});
  ASSERT_TRUE(OpenRevocationList(SignedRevocationPayload(ok, signing_), list_.keys).ok());
  std::vector<json> bad_zones = {json::object()};
  for (const char* key : {"id", "disease", "species", "starts_on", "ends_on", "certificates"}) {
    json z = good;
    z.erase(key);
    bad_zones.push_back(json::array({z}));
  }
  json z = good;
  z["certificates"] = {"ABC"};
  bad_zones.push_back(json::array({z}));
  z = good;
  z["starts_on"] = "1 Dec";
  bad_zones.push_back(json::array({z}));
  z = good;
  z["authorities"] = {"kz-aby"};
  bad_zones.push_back(json::array({z}));
  for (const json& zones : bad_zones) {
    json doc = base;
    doc["zones"] = zones;
    EXPECT_TRUE(IsInvalidArgument(
        OpenRevocationList(SignedRevocationPayload(doc, signing_), list_.keys).status(),
        "revocation_list"))
        << zones.dump();
  }
}

TEST(OfflineZoneWarningsTest, AListedCertificateOfARestrictedSpeciesOnTheZoneDays) {
  RevocationList list;
  list.zones = {Zone7()};
  const std::string hash = Zone7().certificates[0];
  const auto day = [](const char* d) { return Date::Parse(d).value(); };
  auto w = OfflineZoneWarnings(list, hash, "sheep", "KZ-ABY-01", day("2026-12-07"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].first, "origin_in_zone");
  EXPECT_NE(w[0].second.find("zone 7"), std::string::npos) << w[0].second;
  EXPECT_EQ(OfflineZoneWarnings(list, hash, "sheep", "KZ-ABY-01", day("2026-12-01")).size(), 1u);
  EXPECT_EQ(OfflineZoneWarnings(list, hash, "sheep", "KZ-ABY-01", day("2026-12-21")).size(), 1u);
  EXPECT_TRUE(OfflineZoneWarnings(list, hash, "sheep", "KZ-ABY-01", day("2026-11-30")).empty());
  EXPECT_TRUE(OfflineZoneWarnings(list, hash, "sheep", "KZ-ABY-01", day("2026-12-22")).empty());
  EXPECT_TRUE(OfflineZoneWarnings(list, hash, "horse", "KZ-ABY-01", day("2026-12-07")).empty());
  const std::string other = RevocationHash("0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e50").value();
  EXPECT_TRUE(OfflineZoneWarnings(list, other, "sheep", "KZ-ABY-01", day("2026-12-07")).empty());
  // A zone of authority codes holds an origin at or below a code, not a sibling sharing its prefix.
  list.zones[0].certificates.clear();
  list.zones[0].authorities = {"KZ-ALM"};
  EXPECT_EQ(OfflineZoneWarnings(list, other, "sheep", "KZ-ALM-03", day("2026-12-07")).size(), 1u);
  EXPECT_TRUE(OfflineZoneWarnings(list, other, "sheep", "KZ-ALMX", day("2026-12-07")).empty());
}

TEST_F(DocumentsTest, RevocationListFromARetiredUnknownOrRootKeyIsRefused) {
  RevocationList r;
  r.authority = "KZ";
  r.sequence = 1;
  r.issued_at = T("2026-11-29T10:00:00Z");
  // retired_ was retired on 2026-06-01, before issued_at.
  EXPECT_TRUE(IsInvalidArgument(
      OpenRevocationList(SignRevocationList(r, retired_), list_.keys).status(), "revocation_list"));
  EXPECT_TRUE(IsInvalidArgument(
      OpenRevocationList(SignRevocationList(r, FixedSigner(4)), list_.keys).status(),
      "revocation_list"));
  std::vector<SigningKey> with_root = list_.keys;
  with_root.push_back(root_key_);
  EXPECT_TRUE(IsInvalidArgument(
      OpenRevocationList(SignRevocationList(r, root_), with_root).status(), "revocation_list"));
}

TEST(RevocationHashTest, IsSha256OfTheSixteenUuidBytes) {
  // The 16 bytes 00 01 02 .. 0f; SHA-256 from `printf '\x00\x01...\x0f' | sha256sum`.
  auto h = RevocationHash("00010203-0405-0607-0809-0A0B0C0D0E0F");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.value(), "be45cb2605bf36bebde684841a28f0fd43c69850a3dce5fedba69928ee3a8991");
  EXPECT_TRUE(IsInvalidArgument(RevocationHash("not-a-uuid").status(), "certificate_id"));
}

TEST(ToTrustedKeysTest, DecodesEd25519KeysAndLeavesRootsOut) {
  Ed25519Signer s = FixedSigner(5);
  SigningKey k = KeyOf(s, "KZ-ABY", false);
  SigningKey root = KeyOf(FixedSigner(6), "KZ", true);
  auto keys = ToTrustedKeys({k, root});
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->at(0).verify.alg, kAlgEdDSA);
  EXPECT_EQ(keys->at(0).verify.key, s.public_key());
  k.public_key = "AAAA";
  EXPECT_TRUE(IsInvalidArgument(ToTrustedKeys({k}).status(), "trust_list"));
}

}  // namespace
}  // namespace herdpass::cert
