// In-memory state of HerdService for certificates (W3-W6) and signing keys: caches of the key set,
// of loaded private keys, of the revocation list and of consumption, so that W3 and W4 do not read
// the database for what rarely changes. Thread-safe. Private to service/: not part of its public
// interface.
//
// What each cache may miss, and for how long:
//  - keys: reloaded after ServiceConfig::key_cache_for, at once after this process changes a key;
//  - revocations: new ones fetched (by sequence) after kRevocationCacheFor, at once after this
//    process revokes;
//  - consumption as Verify reports it: kConsumptionCacheFor, at once after this process consumes;
//  - the zones in force that issuance judges: until the local day changes, at once after this
//    process declares or lifts one, and before a certificate is stored when any process did (the
//    zones' revision, read in the certificate's transaction), and read afresh before a zone
//    refuses one (a lift by another process): never stale for issuance.
// Another process writing to the same database (the CLI while the server runs) is seen within these
// intervals.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cert/documents.h"
#include "cert/hp1.h"
#include "domain/certificate.h"
#include "domain/time.h"
#include "service/service.h"
#include "store/store.h"

namespace herdpass {

inline constexpr std::chrono::seconds kRevocationCacheFor{5};
inline constexpr std::chrono::seconds kConsumptionCacheFor{5};

// The country of an authority code: its first part ("KZ-ABY" -> "KZ", "KZ" -> "KZ").
inline std::string CountryOf(const std::string& authority) {
  return authority.substr(0, authority.find('-'));
}

// A local key (made on this node) of `country`, the node's, and of an authority within it. A key of
// another country could have been stored by an older version (or by hand): it signs nothing here,
// and no trust list names it, since verifiers refuse a list naming another country's key.
inline bool IsOwnLocalKey(const SigningKey& k, const std::string& country) {
  return k.source == "local" && k.country == country && CountryOf(k.authority) == country;
}

// Every key of the store at one moment, and the verifier's view of the non-root ones.
struct KeySnapshot {
  uint64_t generation = 0;  // unique across all HerdService instances of the process
  Timestamp loaded_at{};
  std::vector<SigningKey> all;            // as ListSigningKeys returns them
  std::vector<cert::TrustedKey> trusted;  // non-root keys, local and imported
};

// Revoked certificate ids at one moment.
struct RevocationSnapshot {
  int64_t sequence = 0;                 // highest Revocation::sequence seen
  std::unordered_set<std::string> ids;  // certificate ids
  std::vector<std::string> hashes;      // cert::RevocationHash of each, in sequence order
};

// The zones published with the revocation list (W14) at one moment, on one local day.
struct ZoneSnapshot {
  Date day;
  Timestamp loaded_at{};
  std::vector<cert::PublishedZone> zones;
  std::string key;  // tells two snapshots apart: the signed document is cached per key
};

// The stored certificate asked for by id (UUID) or by its number; kNotFound "no certificate <text>"
// (service/certificates.cpp).
Result<Certificate> FindCertificateByIdOrNumber(Store& store, const std::string& text);

struct HerdService::CertState {
  // --- keys (service/keys.cpp) ---
  // The current key set, reloaded when older than `cache_for` (or when the clock went back).
  Result<std::shared_ptr<const KeySnapshot>> Keys(Store& store, Timestamp now,
                                                  std::chrono::seconds cache_for);
  void InvalidateKeys();
  // The private key `kid` from its file under `dir`, loaded once.
  Result<std::shared_ptr<const cert::Ed25519Signer>> Signer(const std::string& dir,
                                                            const std::string& kid);
  void ForgetSigner(const std::string& kid);

  // --- revocations (service/certificates.cpp) ---
  Result<std::shared_ptr<const RevocationSnapshot>> Revocations(Store& store, Timestamp now);
  void InvalidateRevocations();

  // --- consumption as W4 reports it (service/certificates.cpp) ---
  struct Consumed {
    bool known = false;  // the certificate is stored here
    bool consumed = false;
    Timestamp at{};
    std::string place;
    Timestamp fetched_at{};
  };
  std::optional<Consumed> FindConsumed(const std::string& id, Timestamp now);
  void RememberConsumed(const std::string& id, Consumed c);
  void ForgetConsumed(const std::string& id);

  // The signed revocation list of `sequence` with the zones of `zones_key` when signed less than
  // `max_age` ago.
  std::optional<std::string> RevocationDocument(int64_t sequence, const std::string& zones_key,
                                                Timestamp now, std::chrono::minutes max_age);
  void KeepRevocationDocument(std::string doc, int64_t sequence, std::string zones_key,
                              Timestamp signed_at);

  // --- zones published with the revocation list (service/outbreaks.cpp) ---
  // The snapshot of `day` when loaded less than kRevocationCacheFor ago and not invalidated.
  std::shared_ptr<const ZoneSnapshot> PublishedZones(Date day, Timestamp now);
  void KeepPublishedZones(std::shared_ptr<const ZoneSnapshot> zones);
  // The zones in force as issuance judges them (IssueCertificate): the set of `day` as last read,
  // or null. Another process's change is caught by the revision the certificate's transaction
  // reads (Store::CreateCertificate), which makes the issuance load them again; a refusal by a
  // zone is judged again on zones read afresh (a lift elsewhere).
  std::shared_ptr<const ZonesInForce> ZonesForIssuance(Date day);
  void KeepZonesForIssuance(std::shared_ptr<const ZonesInForce> zones);
  // Drops both sets of zones: a zone was declared or lifted.
  void InvalidateZones();

  // Serializes key changes and trust-list signing, so that sequence numbers never repeat.
  std::mutex key_change_mu;

 private:
  std::mutex keys_mu_;
  std::shared_ptr<const KeySnapshot> keys_;
  std::map<std::string, std::shared_ptr<const cert::Ed25519Signer>> signers_;

  std::mutex revocations_mu_;
  std::shared_ptr<const RevocationSnapshot> revocations_;
  Timestamp revocations_checked_at_{};
  bool revocations_stale_ = true;
  std::string revocation_doc_;
  int64_t revocation_doc_sequence_ = -1;
  std::string revocation_doc_zones_;
  std::shared_ptr<const ZoneSnapshot> zones_;
  Timestamp revocation_doc_at_{};

  std::mutex issuance_zones_mu_;
  std::shared_ptr<const ZonesInForce> issuance_zones_;

  std::mutex consumed_mu_;
  std::unordered_map<std::string, Consumed> consumed_;
};

}  // namespace herdpass
