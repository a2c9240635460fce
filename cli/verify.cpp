// `herdpass verify`: W4 offline, as a border post does it (DESIGN.md section 6, W9). Reads nothing
// but the files it is given: the trust lists are opened with the pinned root keys, the revocation
// lists with the keys of those trust lists, and the certificate is checked by cert::VerifyHp1 with
// the same code the server runs. It says how old each list is, since an offline verifier can only
// be as current as its last download.
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cert/documents.h"
#include "cert/hp1.h"
#include "cert/qr.h"
#include "cli/commands.h"

namespace herdpass::cli {
namespace {

// Usage and file problems: exit code 2, one clear line.
int UsageError(const std::string& message) {
  std::cerr << "herdpass verify: " << message << "\n";
  return 2;
}

// A pinned root key as the operator gives it: "BASE64", or "CC:BASE64" to bind it to country CC.
// It is trusted at any time: a verifier pins what it was handed, by a channel it trusts.
Result<SigningKey> PinnedRoot(const std::string& text) {
  std::string country, b64 = text;
  if (auto colon = text.find(':'); colon != std::string::npos) {
    country = text.substr(0, colon);
    b64 = text.substr(colon + 1);
    if (Status s = ValidateAuthorityCode(country, "root-key"); !s.ok() || country.size() != 2) {
      return InvalidArgument("root-key", "--root-key CC:BASE64 needs a 2-letter country code");
    }
  }
  cert::Bytes raw(32);
  size_t len = 0;
  if (sodium_base642bin(raw.data(), raw.size(), b64.data(), b64.size(), " \n\r\t", &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != 32) {
    return InvalidArgument("root-key",
                           "--root-key must be the base64 of a 32-byte Ed25519 public "
                           "key (as `herdpass trust export` prints it)");
  }
  SigningKey k;
  const auto kid = cert::KidOf(raw);
  k.kid = cert::KidHex(kid);
  k.public_key = b64;
  k.public_key.erase(
      std::remove_if(k.public_key.begin(), k.public_key.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
      k.public_key.end());
  k.root = true;
  k.country = country;
  k.authority = country;
  k.source = "pinned";
  k.valid_from = Timestamp{};
  k.valid_until = Timestamp{std::chrono::milliseconds(253402300799000)};  // 9999-12-31T23:59:59Z
  return k;
}

// The country a trust list says it is of, read before its signature is checked: a root key pinned
// without a country is taken as that country's. The signature check that follows is what counts.
std::string ClaimedCountry(const std::string& jws) {
  auto doc = nlohmann::json::parse(jws, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("payload") || !doc["payload"].is_string()) return "";
  const std::string b64 = doc["payload"].get<std::string>();
  std::string payload(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(payload.data()), payload.size(),
                        b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return "";
  }
  payload.resize(len);
  auto list = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!list.is_object() || !list.contains("country") || !list["country"].is_string()) return "";
  return list["country"].get<std::string>();
}

std::string Age(Timestamp issued, Timestamp now) {
  const double hours = std::chrono::duration<double, std::ratio<3600>>(now - issued).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f h old", hours);
  std::string out = buf;
  if (hours < 0) out += " (issued after --now)";
  return out;
}

void PrintClaims(const cert::Hp1Payload& p) {
  std::cout << "certificate " << p.number << "\n"
            << "  issuer:       " << p.iss << "\n"
            << "  purpose:      " << p.purpose << "\n"
            << "  species:      " << p.species << ", " << p.head_count << " head\n";
  if (!p.tags.empty()) {
    std::cout << "  ear tags:     ";
    for (size_t i = 0; i < p.tags.size(); ++i) std::cout << (i ? ", " : "") << p.tags[i];
    std::cout << "\n";
  } else if (p.tag_count > 0) {
    std::cout << "  ear tags:     " << p.tag_count << " (SHA-256 of the sorted list "
              << p.tags_sha256 << ")\n";
  }
  auto place = [](const std::string& code, const std::string& name) {
    return name.empty() ? code : code + " (" + name + ")";
  };
  std::cout << "  origin:       " << place(p.origin, p.origin_place) << "\n"
            << "  destination:  " << place(p.destination, p.destination_place) << "\n";
  if (!p.transport.empty()) std::cout << "  transport:    " << p.transport << "\n";
  std::cout << "  issued at:    " << FormatRfc3339(p.iat) << "\n"
            << "  valid until:  " << FormatRfc3339(p.exp) << "\n"
            << "  vet:          " << p.vet << "\n"
            << "  owner:        " << p.owner_masked_name << ", phone ending " << p.owner_phone_last4
            << "\n";
  for (const auto& v : p.vaccinations) {
    std::cout << "  vaccination:  " << v.disease << " on " << v.administered_on.ToString()
              << ", batch " << v.batch_no << "\n";
  }
}

}  // namespace

int VerifyOffline(const VerifyOptions& o) {
  if (o.hp1.empty() == o.png.empty()) {
    return UsageError("give the certificate either as HP1 text or with --png FILE, not both");
  }
  if (o.trust_lists.empty() || o.root_keys.empty() || o.revocations.empty()) {
    return UsageError("--trust-list, --revocations and --root-key are required");
  }
  Timestamp now = SystemClock().Now();
  if (!o.now.empty()) {
    auto t = ParseRfc3339(o.now, "now");
    if (!t.ok()) return UsageError("--now: " + t.status().message());
    now = t.value();
  }

  std::string text = o.hp1;
  if (!o.png.empty()) {
    auto png = ReadTextFile(o.png);
    if (!png.ok()) return UsageError(png.status().message());
    auto decoded = cert::DecodeQrPng(png.value());
    if (!decoded.ok()) return UsageError(o.png + ": " + decoded.status().message());
    text = decoded.value();
  }

  std::vector<SigningKey> roots;
  for (const auto& b64 : o.root_keys) {
    auto k = PinnedRoot(b64);
    if (!k.ok()) return UsageError(k.status().message());
    roots.push_back(k.value());
  }

  // Trust lists: each must open with a pinned root; their keys are the verifier's keys.
  std::vector<SigningKey> signing_keys;
  for (const auto& file : o.trust_lists) {
    auto jws = ReadTextFile(file);
    if (!jws.ok()) return UsageError(jws.status().message());
    std::vector<SigningKey> pinned = roots;
    const std::string claimed = ClaimedCountry(jws.value());
    for (auto& k : pinned) {
      if (k.country.empty()) k.country = k.authority = claimed;
    }
    auto list = cert::OpenTrustList(jws.value(), pinned);
    if (!list.ok()) {
      return UsageError(
          file + ": not a trust list signed by a pinned root key: " + list.status().message());
    }
    std::cout << "trust list:      " << list->country << ", sequence " << list->sequence
              << ", issued " << FormatRfc3339(list->issued_at) << " (" << Age(list->issued_at, now)
              << "), " << list->keys.size() << " key(s) [" << file << "]\n";
    signing_keys.insert(signing_keys.end(), list->keys.begin(), list->keys.end());
  }
  auto trusted = cert::ToTrustedKeys(signing_keys);
  if (!trusted.ok()) return UsageError("trust list: " + trusted.status().message());

  // Revocation lists: signed by a key of the trust lists; they name hashes of certificate ids.
  std::set<std::string> revoked_hashes;
  std::vector<cert::RevocationList> lists;
  for (const auto& file : o.revocations) {
    auto jws = ReadTextFile(file);
    if (!jws.ok()) return UsageError(jws.status().message());
    auto list = cert::OpenRevocationList(jws.value(), signing_keys);
    if (!list.ok()) {
      return UsageError(file + ": not a revocation list signed by a key of the trust list: " +
                        list.status().message());
    }
    std::cout << "revocation list: " << list->authority << ", sequence " << list->sequence
              << ", issued " << FormatRfc3339(list->issued_at) << " (" << Age(list->issued_at, now)
              << "), " << list->revoked_hashes.size() << " revoked [" << file << "]\n";
    revoked_hashes.insert(list->revoked_hashes.begin(), list->revoked_hashes.end());
    lists.push_back(std::move(list).value());
  }

  cert::VerifyInput input;
  input.keys = std::move(trusted).value();
  input.now = now;
  cert::VerifyOutcome outcome = cert::VerifyHp1(text, input);
  // The lists name hashes of ids, VerifyHp1 takes ids: once the id is read from the signed payload,
  // check it against the hashes and run again with it, so that the status and reasons come from
  // the one verifier.
  if (outcome.payload) {
    auto hash = cert::RevocationHash(outcome.payload->id);
    if (hash.ok() && revoked_hashes.count(hash.value()) > 0) {
      input.revoked_ids = {outcome.payload->id};
      outcome = cert::VerifyHp1(text, input);
    }
  }

  std::cout << "checked at:      " << FormatRfc3339(now) << "\n"
            << "status:          " << outcome.status
            << (outcome.valid ? " (VALID)" : " (NOT VALID)") << "\n";
  for (const auto& r : outcome.reasons)
    std::cout << "reason:          " << r.code << ": " << r.message << "\n";
  // W14: the zones published with the lists; a warning, not a refusal (as POST /verify says it).
  if (outcome.payload) {
    auto hash = cert::RevocationHash(outcome.payload->id);
    for (const auto& list : lists) {
      if (!hash.ok()) break;
      for (const auto& [code, message] : cert::OfflineZoneWarnings(
               list, hash.value(), outcome.payload->species, outcome.payload->origin,
               cert::ZoneDayOf(list, now, std::chrono::minutes(0)))) {
        std::cout << "warning:         " << code << ": " << message << "\n";
      }
    }
  }
  if (!outcome.kid.empty()) std::cout << "signing key:     " << outcome.kid << "\n";
  if (outcome.payload) PrintClaims(*outcome.payload);
  return outcome.valid ? 0 : 1;
}

}  // namespace herdpass::cli
