// Signed trust and revocation lists: JWS flattened JSON serialization (RFC 7515 section 7.2.2)
// with EdDSA (RFC 8037), payloads as written down in docs/hp1-format.md.
#include "cert/documents.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "cert/detail/bytes.h"
#include "domain/model.h"

namespace herdpass::cert {
namespace {

using nlohmann::json;

constexpr std::string_view kTrustListType = "herdpass-trust-list";
constexpr std::string_view kRevocationListType = "herdpass-revocation-list";
constexpr std::string_view kTrustListTyp = "herdpass-trust-list+json";
constexpr std::string_view kRevocationListTyp = "herdpass-revocation-list+json";
constexpr int kVersion = 1;
// A trust list of a few thousand keys is some hundred KB; a revocation list of 100,000 hashes
// about 7 MB. Anything larger is refused before parsing.
constexpr size_t kMaxDocumentBytes = 16 * 1024 * 1024;

Status Bad(std::string_view code, std::string message) {
  return InvalidArgument(std::string(code), std::move(message));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string SignJws(const json& payload, std::string_view typ, const Ed25519Signer& signer) {
  const json header = {{"alg", "EdDSA"}, {"kid", signer.kid_hex()}, {"typ", typ}};
  const std::string protected_b64 = detail::Base64Url(detail::AsBytes(header.dump()));
  const std::string payload_b64 = detail::Base64Url(detail::AsBytes(payload.dump()));
  const std::string signing_input = protected_b64 + "." + payload_b64;
  const Bytes signature = signer.Sign(detail::AsBytes(signing_input));
  const json jws = {{"protected", protected_b64},
                    {"payload", payload_b64},
                    {"signature", detail::Base64Url(signature)}};
  return jws.dump();
}

const std::string* StringAt(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

std::optional<int64_t> IntAt(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    auto v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  return std::nullopt;
}

std::optional<Timestamp> TimeAt(const json& obj, const char* key) {
  const std::string* s = StringAt(obj, key);
  if (s == nullptr) return std::nullopt;
  auto t = ParseRfc3339(*s);
  if (!t.ok()) return std::nullopt;
  return t.value();
}

// The raw Ed25519 public key of a SigningKey whose kid really is that key's; nullopt otherwise.
std::optional<Bytes> Ed25519KeyOf(const SigningKey& key) {
  if (key.algorithm != "EdDSA") return std::nullopt;
  auto raw = detail::FromBase64(key.public_key);
  if (!raw || raw->size() != crypto_sign_PUBLICKEYBYTES) return std::nullopt;
  if (KidHex(KidOf(*raw)) != Lower(key.kid)) return std::nullopt;
  return raw;
}

// Checks a JWS against `keys` (the one whose kid the header names) and returns its payload
// object, and in `*signer` the key that verified it. Every failure is field `code`.
Result<json> OpenJws(std::string_view text, std::string_view typ, std::string_view code,
                     const std::vector<SigningKey>& keys, const SigningKey** signer) {
  if (text.size() > kMaxDocumentBytes) return Bad(code, "document is too large");
  const json jws = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (jws.is_discarded() || !jws.is_object()) return Bad(code, "not a JWS JSON object");
  const std::string* protected_b64 = StringAt(jws, "protected");
  const std::string* payload_b64 = StringAt(jws, "payload");
  const std::string* signature_b64 = StringAt(jws, "signature");
  if (protected_b64 == nullptr || payload_b64 == nullptr || signature_b64 == nullptr) {
    return Bad(code, "JWS needs protected, payload and signature strings");
  }
  auto header_bytes = detail::FromBase64Url(*protected_b64);
  if (!header_bytes) return Bad(code, "protected header is not base64url");
  const json header = json::parse(header_bytes->begin(), header_bytes->end(), nullptr, false);
  if (header.is_discarded() || !header.is_object()) {
    return Bad(code, "protected header is not a JSON object");
  }
  const std::string* alg = StringAt(header, "alg");
  const std::string* kid = StringAt(header, "kid");
  const std::string* header_typ = StringAt(header, "typ");
  if (alg == nullptr || *alg != "EdDSA") return Bad(code, "alg is not EdDSA");
  // RFC 7515 section 4.1.11: extensions we do not know must make the JWS invalid.
  if (header.contains("crit")) return Bad(code, "critical header extensions are not supported");
  if (header_typ == nullptr || *header_typ != typ) {
    return Bad(code, "typ is not " + std::string(typ));
  }
  if (kid == nullptr) return Bad(code, "kid is missing");

  std::optional<Bytes> public_key;
  for (const auto& k : keys) {
    if (Lower(k.kid) != Lower(*kid)) continue;
    public_key = Ed25519KeyOf(k);
    if (public_key) {
      *signer = &k;
      break;
    }
  }
  if (!public_key) return Bad(code, "signed by " + kid->substr(0, 32) + ", not a trusted key");

  auto signature = detail::FromBase64Url(*signature_b64);
  if (!signature || signature->size() != crypto_sign_BYTES) {
    return Bad(code, "signature is not 64 bytes of base64url");
  }
  const std::string signing_input = *protected_b64 + "." + *payload_b64;
  if (!detail::EnsureSodium()) return Internal("libsodium failed to initialize");
  if (crypto_sign_verify_detached(signature->data(),
                                  reinterpret_cast<const unsigned char*>(signing_input.data()),
                                  signing_input.size(), public_key->data()) != 0) {
    return Bad(code, "signature does not verify");
  }

  auto payload_bytes = detail::FromBase64Url(*payload_b64);
  if (!payload_bytes) return Bad(code, "payload is not base64url");
  json payload = json::parse(payload_bytes->begin(), payload_bytes->end(), nullptr, false);
  if (payload.is_discarded() || !payload.is_object())
    return Bad(code, "payload is not a JSON object");
  return payload;
}

json KeyJson(const SigningKey& k) {
  json j = {{"kid", k.kid},
            {"authority", k.authority},
            {"country", k.country},
            {"alg", k.algorithm},
            {"public_key", k.public_key},
            {"valid_from", FormatRfc3339(k.valid_from)},
            {"valid_until", FormatRfc3339(k.valid_until)}};
  if (k.retired_at) j["retired_at"] = FormatRfc3339(*k.retired_at);
  return j;
}

bool IsLowerHex(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// A list of strings at `key` (absent: empty), each passing `ok`; nullopt when it is something else.
template <typename Ok>
std::optional<std::vector<std::string>> StringsAt(const json& obj, const char* key, Ok ok) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end()) return out;
  if (!it->is_array()) return std::nullopt;
  for (const auto& v : *it) {
    if (!v.is_string() || !ok(v.get_ref<const std::string&>())) return std::nullopt;
    out.push_back(v.get<std::string>());
  }
  return out;
}

// The revocation list's "zones" (absent: none), each checked; field `code` on anything malformed.
Result<std::vector<PublishedZone>> ZonesOf(const json& doc, std::string_view code) {
  std::vector<PublishedZone> out;
  auto it = doc.find("zones");
  if (it == doc.end()) return out;
  if (!it->is_array()) return Bad(code, "zones is not an array");
  for (const auto& z : *it) {
    const auto bad = [&] {
      return Bad(code, "a zone needs id, disease, species, starts_on, ends_on and certificates");
    };
    if (!z.is_object()) return bad();
    PublishedZone p;
    auto id = IntAt(z, "id");
    const std::string* disease = StringAt(z, "disease");
    const std::string* starts = StringAt(z, "starts_on");
    const std::string* ends = StringAt(z, "ends_on");
    if (!id || disease == nullptr || starts == nullptr || ends == nullptr ||
        !z.contains("species") || !z.contains("certificates")) {
      return bad();
    }
    auto starts_on = Date::Parse(*starts);
    auto ends_on = Date::Parse(*ends);
    auto species = StringsAt(z, "species", [](const std::string& s) { return !s.empty(); });
    auto authorities = StringsAt(
        z, "authorities", [](const std::string& s) { return ValidateAuthorityCode(s).ok(); });
    auto certificates =
        StringsAt(z, "certificates", [](const std::string& s) { return IsLowerHex(s, 64); });
    if (!starts_on.ok() || !ends_on.ok() || !species || !authorities || !certificates) {
      return Bad(code, "zone " + std::to_string(*id) + " is malformed");
    }
    p.id = *id;
    p.disease = *disease;
    p.species = std::move(*species);
    p.starts_on = *starts_on;
    p.ends_on = *ends_on;
    p.authorities = std::move(*authorities);
    p.certificates = std::move(*certificates);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<std::string> RevocationHash(std::string_view certificate_id) {
  auto bytes = detail::UuidBytes(certificate_id);
  if (!bytes) return InvalidArgument("certificate_id", "is not a UUID");
  return detail::Hex(detail::Sha256(*bytes));
}

std::string SignTrustList(const TrustList& list, const Ed25519Signer& root) {
  json keys = json::array();
  for (const auto& k : list.keys) keys.push_back(KeyJson(k));
  const json payload = {{"type", kTrustListType},
                        {"version", kVersion},
                        {"country", list.country},
                        {"sequence", list.sequence},
                        {"issued_at", FormatRfc3339(list.issued_at)},
                        {"keys", std::move(keys)}};
  return SignJws(payload, kTrustListTyp, root);
}

std::string SignRevocationList(const RevocationList& list, const Ed25519Signer& signer) {
  json payload = {{"type", kRevocationListType},
                  {"version", kVersion},
                  {"authority", list.authority},
                  {"sequence", list.sequence},
                  {"issued_at", FormatRfc3339(list.issued_at)},
                  {"revoked", list.revoked_hashes}};
  if (!list.zones.empty()) {
    json zones = json::array();
    for (const PublishedZone& z : list.zones) {
      json j = {{"id", z.id},
                {"disease", z.disease},
                {"species", z.species},
                {"starts_on", z.starts_on.ToString()},
                {"ends_on", z.ends_on.ToString()},
                {"certificates", z.certificates}};
      if (!z.authorities.empty()) j["authorities"] = z.authorities;
      zones.push_back(std::move(j));
    }
    payload["zones"] = std::move(zones);
    if (list.zones_utc_offset) payload["zones_utc_offset_minutes"] = list.zones_utc_offset->count();
  }
  return SignJws(payload, kRevocationListTyp, signer);
}

Date ZoneDayOf(const RevocationList& list, Timestamp now, std::chrono::minutes own_offset) {
  return Date::Of(now + list.zones_utc_offset.value_or(own_offset));
}

std::vector<std::pair<std::string, std::string>> OfflineZoneWarnings(const RevocationList& list,
                                                                     std::string_view hash,
                                                                     std::string_view species,
                                                                     std::string_view origin,
                                                                     Date today) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const PublishedZone& z : list.zones) {
    if (today < z.starts_on || z.ends_on < today) continue;
    if (std::find(z.species.begin(), z.species.end(), species) == z.species.end()) continue;
    const bool listed =
        std::find(z.certificates.begin(), z.certificates.end(), hash) != z.certificates.end();
    const bool by_code =
        std::any_of(z.authorities.begin(), z.authorities.end(),
                    [&](const std::string& a) { return InJurisdiction(a, origin); });
    if (!listed && !by_code) continue;
    out.emplace_back("origin_in_zone", "now in force: zone " + std::to_string(z.id) + " (" +
                                           z.disease + ") until " + z.ends_on.ToString() +
                                           " holds the origin");
  }
  return out;
}

std::optional<std::string> TrustListCountry(std::string_view jws) {
  if (jws.size() > kMaxDocumentBytes) return std::nullopt;
  const json outer = json::parse(jws, nullptr, /*allow_exceptions=*/false);
  if (!outer.is_object()) return std::nullopt;
  const std::string* payload_b64 = StringAt(outer, "payload");
  if (payload_b64 == nullptr) return std::nullopt;
  auto payload = detail::FromBase64Url(*payload_b64);
  if (!payload) return std::nullopt;
  const json doc = json::parse(payload->begin(), payload->end(), nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  const std::string* country = StringAt(doc, "country");
  if (country == nullptr) return std::nullopt;
  return *country;
}

Result<TrustList> OpenTrustList(std::string_view jws, const std::vector<SigningKey>& pinned_roots) {
  const std::string_view code = reason::kTrustList;
  const SigningKey* root = nullptr;
  HP_ASSIGN_OR_RETURN(auto opened, OpenJws(jws, kTrustListTyp, code, pinned_roots, &root));
  const json& doc = opened;

  const std::string* type = StringAt(doc, "type");
  if (type == nullptr || *type != kTrustListType || IntAt(doc, "version") != kVersion) {
    return Bad(code, "not a version 1 herdpass-trust-list");
  }
  TrustList list;
  const std::string* country = StringAt(doc, "country");
  auto sequence = IntAt(doc, "sequence");
  auto issued_at = TimeAt(doc, "issued_at");
  auto keys = doc.find("keys");
  if (country == nullptr || !sequence || *sequence < 0 || !issued_at || keys == doc.end() ||
      !keys->is_array()) {
    return Bad(code, "needs country, sequence, issued_at and keys");
  }
  // A country's root vouches for that country's keys only.
  if (*country != root->country) {
    return Bad(code,
               "list of " + country->substr(0, 8) + " signed by the root of " + root->country);
  }
  if (!root->usable_at(*issued_at)) {
    return Bad(code, "root key " + root->kid + " was not valid when the list was issued");
  }
  list.country = *country;
  list.sequence = *sequence;
  list.issued_at = *issued_at;
  for (size_t i = 0; i < keys->size(); ++i) {
    const json& k = (*keys)[i];
    const std::string where = "keys[" + std::to_string(i) + "]";
    if (!k.is_object()) return Bad(code, where + " is not an object");
    SigningKey key;
    const std::string* kid = StringAt(k, "kid");
    const std::string* authority = StringAt(k, "authority");
    const std::string* key_country = StringAt(k, "country");
    const std::string* alg = StringAt(k, "alg");
    const std::string* public_key = StringAt(k, "public_key");
    auto valid_from = TimeAt(k, "valid_from");
    auto valid_until = TimeAt(k, "valid_until");
    if (kid == nullptr || authority == nullptr || key_country == nullptr || alg == nullptr ||
        public_key == nullptr || !valid_from || !valid_until) {
      return Bad(code, where +
                           " needs kid, authority, country, alg, public_key, valid_from and "
                           "valid_until");
    }
    if (*key_country != list.country) return Bad(code, where + " is not a key of " + list.country);
    if (!IsLowerHex(*kid, 16)) return Bad(code, where + ".kid is not 16 lowercase hex digits");
    key.kid = *kid;
    key.authority = *authority;
    key.country = *key_country;
    key.algorithm = *alg;
    key.public_key = *public_key;
    key.valid_from = *valid_from;
    key.valid_until = *valid_until;
    if (k.contains("retired_at")) {
      auto retired = TimeAt(k, "retired_at");
      if (!retired) return Bad(code, where + ".retired_at is not an RFC 3339 time");
      key.retired_at = *retired;
    }
    key.root = false;
    key.source = "import:" + list.country;
    if (!Ed25519KeyOf(key)) {
      return Bad(code, where + " is not an EdDSA key of 32 bytes whose kid is its SHA-256");
    }
    if (key.valid_until < key.valid_from) return Bad(code, where + " ends before it starts");
    list.keys.push_back(std::move(key));
  }
  return list;
}

Result<RevocationList> OpenRevocationList(std::string_view jws,
                                          const std::vector<SigningKey>& trusted_keys) {
  const std::string_view code = reason::kRevocationList;
  // Root keys sign trust lists only.
  std::vector<SigningKey> signing_keys;
  std::copy_if(trusted_keys.begin(), trusted_keys.end(), std::back_inserter(signing_keys),
               [](const SigningKey& k) { return !k.root; });
  const SigningKey* signer = nullptr;
  HP_ASSIGN_OR_RETURN(auto opened, OpenJws(jws, kRevocationListTyp, code, signing_keys, &signer));
  const json& doc = opened;

  const std::string* type = StringAt(doc, "type");
  if (type == nullptr || *type != kRevocationListType || IntAt(doc, "version") != kVersion) {
    return Bad(code, "not a version 1 herdpass-revocation-list");
  }
  const std::string* authority = StringAt(doc, "authority");
  auto sequence = IntAt(doc, "sequence");
  auto issued_at = TimeAt(doc, "issued_at");
  auto revoked = doc.find("revoked");
  if (authority == nullptr || !sequence || *sequence < 0 || !issued_at || revoked == doc.end() ||
      !revoked->is_array()) {
    return Bad(code, "needs authority, sequence, issued_at and revoked");
  }
  if (!signer->usable_at(*issued_at)) {
    return Bad(code, "key " + signer->kid + " was not valid when the list was issued");
  }
  RevocationList list;
  list.authority = *authority;
  list.sequence = *sequence;
  list.issued_at = *issued_at;
  for (const auto& h : *revoked) {
    if (!h.is_string() || !IsLowerHex(h.get_ref<const std::string&>(), 64)) {
      return Bad(code, "revoked holds something other than a lowercase hex SHA-256");
    }
    list.revoked_hashes.push_back(h.get<std::string>());
  }
  HP_ASSIGN_OR_RETURN(list.zones, ZonesOf(doc, code));
  if (doc.contains("zones_utc_offset_minutes")) {
    // UTC-12:00 to UTC+14:00, the offsets in use anywhere.
    auto offset = IntAt(doc, "zones_utc_offset_minutes");
    if (!offset || *offset < -12 * 60 || *offset > 14 * 60) {
      return Bad(code,
                 "zones_utc_offset_minutes is not a whole number of minutes from -720 to 840");
    }
    list.zones_utc_offset = std::chrono::minutes(*offset);
  }
  return list;
}

Result<std::vector<TrustedKey>> ToTrustedKeys(const std::vector<SigningKey>& keys) {
  std::vector<TrustedKey> out;
  for (const auto& k : keys) {
    if (k.root) continue;  // root keys never sign certificates
    auto raw = Ed25519KeyOf(k);
    if (!raw) {
      return Bad(reason::kTrustList,
                 "key " + k.kid + " is not an EdDSA key of 32 bytes whose kid is its SHA-256");
    }
    out.push_back({k, VerifyKey{kAlgEdDSA, std::move(*raw)}});
  }
  return out;
}

}  // namespace herdpass::cert
