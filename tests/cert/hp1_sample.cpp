// hp1_sample: issues one sample certificate with a fixed Ed25519 seed (bytes 00 01 .. 1f) and
// prints, as JSON, the HP1 text, the public key, every claim as issued, and the bytes of every
// stage in hex. interop_test.py checks it with independent libraries; docs/hp1-format.md's
// worked example is its output.
//
//   hp1_sample              the sample with 3 ear tags
//   hp1_sample --many-tags  the same with 120 ear tags: too many for a version 25-Q QR code,
//                           so folded into count + SHA-256
//   hp1_sample --documents  a signed trust list (root seed 20 21 .. 3f) naming the sample's key,
//                           and a revocation list signed by that key
#include <sodium.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cert/documents.h"
#include "cert/hp1.h"
#include "domain/certificate.h"
#include "domain/time.h"

namespace {

using herdpass::cert::Bytes;
using herdpass::cert::ByteView;

std::string Hex(ByteView b) { return herdpass::cert::KidHex(b); }

std::string Base64(ByteView b) {
  std::string out(sodium_base64_encoded_len(b.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), b.data(), b.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

herdpass::Certificate SampleCertificate(bool many_tags) {
  using herdpass::Date;
  herdpass::Certificate c;
  c.id = "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f";
  c.number = "KZ-ABY-20261129-K7M2Q9XD";
  c.authority = "KZ-ABY";
  c.species = "sheep";
  if (many_tags) {
    // Serials scattered like a real herd's, so that zlib cannot shrink the list away.
    for (uint64_t i = 1; i <= 120; ++i) {
      c.tags.push_back("398" + std::to_string(100000000000 + i * 2654435761 % 900000000000));
    }
  } else {
    c.tags = {"398012345678901", "398012345678902", "398012345678903"};
  }
  c.head_count = static_cast<int32_t>(c.tags.size()) + 40;  // tagged animals plus a flock
  c.purpose = herdpass::Purpose::kSlaughter;
  c.origin = "KZ-ABY-01";
  c.origin_place = "Karaul village, farm 12";
  c.destination = "KZ-ALA";
  c.destination_place = "Almaty meat plant";
  c.transport = "truck 123 ABC 02";
  c.issued_at = herdpass::ParseRfc3339("2026-11-29T03:00:00Z").value();
  c.valid_until = herdpass::ParseRfc3339("2026-12-02T03:00:00Z").value();
  c.vaccinations = {{"r1", "fmd_o", Date::Parse("2026-09-01").value(), "FMD-2026-117"},
                    {"r2", "ppr", Date::Parse("2025-04-20").value(), "PPR-88"},
                    {"r3", "sheep_pox", Date::Parse("2026-05-14").value(), "SP-5"}};
  c.vet_name = "Serik Bekov";
  c.owner_masked_name = "A****** N*********";
  c.owner_phone_last4 = "4650";
  return c;
}

int64_t Seconds(herdpass::Timestamp t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

}  // namespace

// The trust list and revocation list of the worked example in docs/hp1-format.md.
int PrintDocuments(const herdpass::cert::Ed25519Signer& signer) {
  namespace hc = herdpass::cert;
  Bytes root_seed(32);
  for (size_t i = 0; i < root_seed.size(); ++i) root_seed[i] = static_cast<uint8_t>(0x20 + i);
  auto root = hc::Ed25519Signer::FromSeed(root_seed);
  if (!root.ok()) return 1;
  hc::TrustList list;
  list.country = "KZ";
  list.sequence = 3;
  list.issued_at = herdpass::ParseRfc3339("2026-11-28T00:00:00Z").value();
  herdpass::SigningKey key;
  key.kid = signer.kid_hex();
  key.authority = "KZ-ABY";
  key.country = "KZ";
  key.public_key = Base64(signer.public_key());
  key.valid_from = herdpass::ParseRfc3339("2026-01-01T00:00:00Z").value();
  key.valid_until = herdpass::ParseRfc3339("2028-01-01T00:00:00Z").value();
  list.keys.push_back(key);
  hc::RevocationList revocations;
  revocations.authority = "KZ-ABY";
  revocations.sequence = 1;
  revocations.issued_at = herdpass::ParseRfc3339("2026-11-30T08:00:00Z").value();
  revocations.revoked_hashes = {hc::RevocationHash("0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f").value()};
  nlohmann::json out = {{"root_kid", root->kid_hex()},
                        {"root_public_key_b64", Base64(root->public_key())},
                        {"trust_list_jws", hc::SignTrustList(list, root.value())},
                        {"revocation_list_jws", hc::SignRevocationList(revocations, signer)}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

int main(int argc, char** argv) {
  const std::string option = argc > 1 ? argv[1] : "";
  const bool many_tags = option == "--many-tags";
  Bytes seed(32);
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i);
  auto signer = herdpass::cert::Ed25519Signer::FromSeed(seed);
  if (!signer.ok()) return 1;
  if (option == "--documents") return PrintDocuments(signer.value());

  herdpass::Certificate c = SampleCertificate(many_tags);
  c.kid = signer->kid_hex();
  const herdpass::cert::Hp1Payload p = herdpass::cert::PayloadOf(c);
  const std::string hp1 = herdpass::cert::EncodeHp1(p, signer.value());

  // The stages again, step by step, for the worked example.
  namespace hc = herdpass::cert;
  const auto kid = hc::KidOf(signer->public_key());
  hc::CoseSign1 cose;
  cose.protected_header = hc::EncodeProtectedHeader(hc::kAlgEdDSA, ByteView(kid));
  cose.payload = hc::EncodeCwt(p);
  const Bytes sig_structure = hc::SigStructure(cose);
  cose.signature = signer->Sign(sig_structure);
  const Bytes cose_bytes = hc::EncodeCoseSign1(cose);
  const Bytes compressed = hc::Deflate(cose_bytes);
  const std::string base45 = hc::Base45Encode(compressed);
  if ("HP1:" + base45 != hp1) {
    std::fprintf(stderr, "hp1_sample: the stages do not give EncodeHp1's text\n");
    return 1;
  }

  nlohmann::json vaccinations = nlohmann::json::array();
  for (const auto& v : p.vaccinations) {
    vaccinations.push_back({v.disease, v.administered_on.ToString(), v.batch_no});
  }
  nlohmann::json out = {{"hp1", hp1},
                        {"seed_hex", Hex(seed)},
                        {"public_key_b64", Base64(signer->public_key())},
                        {"kid", signer->kid_hex()},
                        {"expected",
                         {{"iss", p.iss},
                          {"iat", Seconds(p.iat)},
                          {"exp", Seconds(p.exp)},
                          {"id", p.id},
                          {"number", p.number},
                          {"purpose", p.purpose},
                          {"species", p.species},
                          {"head_count", p.head_count},
                          {"tags", p.tags},
                          {"tag_count", p.tag_count},
                          {"tags_sha256", p.tags_sha256},
                          {"all_tags", c.tags},
                          {"origin", p.origin},
                          {"origin_place", p.origin_place},
                          {"destination", p.destination},
                          {"destination_place", p.destination_place},
                          {"transport", p.transport},
                          {"vaccinations", vaccinations},
                          {"vet", p.vet},
                          {"owner_masked_name", p.owner_masked_name},
                          {"owner_phone_last4", p.owner_phone_last4}}},
                        {"stages",
                         {{"cwt_hex", Hex(cose.payload)},
                          {"protected_hex", Hex(cose.protected_header)},
                          {"sig_structure_hex", Hex(sig_structure)},
                          {"signature_hex", Hex(cose.signature)},
                          {"cose_hex", Hex(cose_bytes)},
                          {"zlib_hex", Hex(compressed)},
                          {"base45", base45},
                          {"hp1_length", hp1.size()}}}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
