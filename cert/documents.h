// Signed JSON documents for offline verifiers (DESIGN.md section 6): the trust list of signing keys
// (signed by the country's root key) and the revocation list (signed by a signing key of the trust
// list). Both travel as a JWS in the flattened JSON serialization (RFC 7515 section 7.2.2, EdDSA of
// RFC 8037), so that any JOSE library can check them:
//
//   {"protected": b64url({"alg":"EdDSA","kid":"<hex>","typ":"herdpass-trust-list+json"}),
//    "payload":   b64url(<the document JSON>),
//    "signature": b64url(Ed25519 over protected + "." + payload)}
//
// The payloads are written down in docs/hp1-format.md.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cert/hp1.h"
#include "domain/certificate.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass::cert {

struct TrustList {
  std::string country;   // of the root key that signs it
  int64_t sequence = 0;  // grows with every change of the key set
  Timestamp issued_at{};
  std::vector<SigningKey> keys;  // signing keys (not root keys), retired ones included
};

// A zone (W14) as offline verifiers get it with the revocation list (docs/hp1-format.md section
// 9): a verifier warns that a certificate's origin is now in it, as POST /verify does. A verifier
// has only the certificate in hand, so the zone says which certificates it holds: by their hashes
// (as `revoked`: the certificates of the publishing node whose origin holding is inside, issued
// before the zone and still valid and unused), and, for a zone of authority codes, by the codes
// (a certificate whose origin authority is one of them or below it).
struct PublishedZone {
  int64_t id = 0;
  std::string disease;               // catalogue code
  std::vector<std::string> species;  // the species it restricts
  Date starts_on;
  Date ends_on;                           // the last day it holds
  std::vector<std::string> authorities;   // empty for a zone of radii
  std::vector<std::string> certificates;  // RevocationHash of each certificate caught
};

struct RevocationList {
  std::string authority;  // issuer of the list (the node's authority or country)
  int64_t sequence = 0;   // the highest Revocation::sequence in it: grows with every revocation
  Timestamp issued_at{};
  // Hex SHA-256 of each revoked certificate's 16-byte cti, so that the list names no certificate.
  std::vector<std::string> revoked_hashes;
  // The zones in force when the list was issued (member "zones", absent when there are none, so
  // that a list without zones is the same document as before zones existed; verifiers that do not
  // know the member ignore it).
  std::vector<PublishedZone> zones;
  // The zones' days (starts_on, ends_on) are days of the local time UTC + this offset, the
  // publishing node's (serve --utc-offset); member "zones_utc_offset_minutes", written with the
  // zones. Absent from lists made before it: a verifier then takes its own day.
  std::optional<std::chrono::minutes> zones_utc_offset;
};

// The day on which a verifier judges `list`'s zones at `now`: the day in the list's zone offset,
// or, for a list without one, in `own_offset` (the verifier's own local time).
Date ZoneDayOf(const RevocationList& list, Timestamp now, std::chrono::minutes own_offset);

// The zone warnings an offline verifier gives for a certificate (`hash` its RevocationHash, its
// species and origin authority) on `today`: for each zone of `list` holding on that day that
// restricts the species and holds the certificate, {"origin_in_zone", message naming the zone and
// its disease}; the same code as POST /verify's warning.
std::vector<std::pair<std::string, std::string>> OfflineZoneWarnings(const RevocationList& list,
                                                                     std::string_view hash,
                                                                     std::string_view species,
                                                                     std::string_view origin,
                                                                     Date today);

// Hex SHA-256 of the 16 bytes of a UUID (the cti); kInvalidArgument when `id` is not a UUID.
Result<std::string> RevocationHash(std::string_view certificate_id);

std::string SignTrustList(const TrustList& list, const Ed25519Signer& root);
std::string SignRevocationList(const RevocationList& list, const Ed25519Signer& signer);

// Verify a document's signature with the pinned root keys (trust list) or the trusted signing keys
// (revocation list), then parse it. Status field "trust_list" / "revocation_list" with the reason.
Result<TrustList> OpenTrustList(std::string_view jws, const std::vector<SigningKey>& pinned_roots);

// The country a trust list's payload names, read WITHOUT checking the signature: an importer
// learns from it which country's root to pin, then OpenTrustList checks the list was signed by
// that root. Trust comes from the pinned key alone. nullopt when `jws` is no flattened JWS whose
// payload is a JSON object with a string "country".
std::optional<std::string> TrustListCountry(std::string_view jws);
Result<RevocationList> OpenRevocationList(std::string_view jws,
                                          const std::vector<SigningKey>& trusted_keys);

// The keys of a trust list as verifier input (Ed25519 keys decoded from base64).
Result<std::vector<TrustedKey>> ToTrustedKeys(const std::vector<SigningKey>& keys);

}  // namespace herdpass::cert
