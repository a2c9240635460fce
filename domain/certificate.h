// Quarantine certificates (DESIGN.md sections 2 W3-W6 and 6) as HerdPass keeps them: the stored
// certificate, its status, the signing keys of authorities, movement rules and the revocation list.
// Plain value types plus small pure helpers; cert/ encodes and signs, store/ persists, service/
// enforces the rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

enum class Purpose { kSlaughter, kSale, kBreeding, kGrazing, kExport };
const char* PurposeName(Purpose p);  // "slaughter", "sale", "breeding", "grazing", "export"
Result<Purpose> ParsePurpose(std::string_view text, std::string_view field = "purpose");
inline constexpr Purpose kAllPurposes[] = {Purpose::kSlaughter, Purpose::kSale, Purpose::kBreeding,
                                           Purpose::kGrazing, Purpose::kExport};

// Stored status. "expired" is derived from valid_until and the clock, never stored.
enum class CertificateStatus { kIssued, kConsumed, kRevoked };
const char* CertificateStatusName(CertificateStatus s);  // "issued", "consumed", "revoked"
Result<CertificateStatus> ParseCertificateStatus(std::string_view text);

// Where a movement goes, relative to the origin's authority: the same province (the first two
// parts of the authority code, "CN-65"), another province of the same country, or abroad.
enum class MovementScope { kWithinProvince, kAcrossProvinces, kExport };
const char* MovementScopeName(MovementScope s);  // "within_province", "across_provinces", "export"
// `origin` and `destination` are authority codes ("KZ-ABY-01", "KZ-ALA", "CN"); a destination in
// another country is kExport whatever the purpose.
MovementScope ScopeOf(std::string_view origin, std::string_view destination);

// A vaccination a certificate rests on, as it is written into the certificate.
struct CertificateVaccination {
  std::string record_id;  // the stored Vaccination's id
  std::string disease;
  Date administered_on;
  std::string batch_no;
};

// What an inspector found when the animals arrived (W13, issue 12 item 3), compared with the
// certificate by CompareArrival (domain/movement.h). Tags are sorted.
struct Arrival {
  std::optional<int64_t> holding_id;    // where they arrived; none from older clients
  std::optional<int32_t> head_counted;  // none: not counted (and certificates consumed before)
  std::vector<std::string> tags_seen;
  std::vector<std::string> missing_tags;  // on the certificate, not seen
  std::vector<std::string> extra_tags;    // seen, not on the certificate
  bool mismatch = false;                  // fewer head, or a missing or extra tag
  Timestamp at{};
};

struct Certificate {
  std::string id;         // canonical lowercase UUID; the CWT `cti`
  std::string number;     // human-readable, unique: "<authority>-<YYYYMMDD>-<8 base32 chars>"
  std::string authority;  // issuing authority (the CWT `iss`)
  std::string kid;        // hex, 16 chars: the key that signed it
  int64_t owner_id = 0;
  std::string species;
  int32_t head_count = 0;           // tagged animals plus flock heads
  std::vector<int64_t> animal_ids;  // the tagged animals and/or the flock
  std::vector<std::string> tags;    // ear tags of the tagged animals, sorted
  Purpose purpose = Purpose::kSlaughter;
  std::string origin;             // authority code of the origin
  std::string origin_place;       // free text: village, farm
  std::string destination;        // authority code (or country code for export)
  std::string destination_place;  // free text: slaughterhouse, market
  std::string transport;          // free text: vehicle plate, "on foot"
  Timestamp issued_at{};          // the CWT `iat`
  Timestamp valid_until{};        // the CWT `exp`
  std::vector<CertificateVaccination> vaccinations;
  int64_t vet_id = 0;
  std::string vet_name;
  std::string owner_masked_name;  // "A*** B***"
  std::string owner_phone_last4;  // "4650"
  std::string hp1;                // "HP1:..." exactly as signed
  // W8: the buyer of a certificate for sale, when it names one. To CreateCertificate:
  // buyer_phone (E.164) and buyer_name (for a buyer created on the spot); stored and read back:
  // buyer_id (0: no buyer).
  int64_t buyer_id = 0;
  std::string buyer_phone;
  std::string buyer_name;
  CertificateStatus status = CertificateStatus::kIssued;
  // Set once consumed (W5).
  std::optional<Timestamp> consumed_at;
  int64_t consumed_by = 0;
  std::string consumed_by_name;
  std::string consumed_place;
  // Set once revoked (W6).
  std::optional<Timestamp> revoked_at;
  int64_t revoked_by = 0;
  std::string revoke_reason;
  // The movement (W13): where the animals leave from and go to, holdings named at issuance (none
  // for certificates issued without), and the arrival once consumed.
  std::optional<int64_t> origin_holding_id;
  std::optional<int64_t> destination_holding_id;
  std::optional<Arrival> arrival;

  bool expired_at(Timestamp now) const { return now > valid_until; }
};

// The status a client sees at `now`: "expired" for an issued certificate past valid_until
// (DESIGN.md section 6: derived, never stored), else the stored status ("issued", "consumed",
// "revoked"). A consumed or revoked certificate keeps its status after valid_until.
const char* CertificateStatusAt(const Certificate& c, Timestamp now);

// How long certificates are valid (ServiceConfig): within a province until 23:59:59 local time on
// the day of issue; across provinces and for export, `days_across_provinces` days from issue.
struct ValidityPolicy {
  std::chrono::minutes local_utc_offset{0};  // local time = UTC + this
  int days_across_provinces = 5;
};

// The valid_until of a certificate for a `scope` movement issued at `issued_at`. `valid_hours`,
// when given, replaces the default by `issued_at` plus that many hours, and may only shorten it:
// kInvalidArgument "valid_hours" naming the longest allowed when it is more hours than the default
// leaves. REQUIRES: valid_hours, when given, is more than 0 (the request's form is checked first).
Result<Timestamp> ValidUntil(MovementScope scope, Timestamp issued_at, const ValidityPolicy& policy,
                             std::optional<int64_t> valid_hours);

// An authority's signing key, or a country root key, as the trust list publishes it. The private
// half never enters this struct: it lives in a 0600 file under the data directory (cert/keys.h).
struct SigningKey {
  std::string kid;        // hex, 16 chars: first 8 bytes of SHA-256 of the raw public key
  std::string authority;  // "KZ-ABY"; for a root key, the country code "KZ"
  std::string country;    // ISO 3166-1 alpha-2
  std::string algorithm = "EdDSA";
  std::string public_key;  // base64 (standard, padded) of the raw 32-byte Ed25519 public key
  bool root = false;       // a country root key: signs trust lists, never certificates
  Timestamp valid_from{};
  Timestamp valid_until{};
  std::optional<Timestamp> retired_at;  // retired early (compromise, withdrawal): refused from then
  // "local" for keys made on this node; "import:<country>" for keys from another country's trust
  // list (and "pinned:<country>" for that country's root key, given by the operator).
  std::string source = "local";

  // Valid for signing or verifying at `t`: inside [valid_from, valid_until] and not retired.
  bool usable_at(Timestamp t) const {
    return t >= valid_from && t <= valid_until && (!retired_at || t < *retired_at);
  }
};

// A movement rule (W3): for certificates of `purpose` to `scope` (any scope when empty), animals
// of `species` (any species when empty) must be covered against each disease on the day of issue,
// by a dose given at most `max_age_days` before it (0: within the disease's immunity period only).
// Diseases that do not apply to a species (PPR for cattle) are skipped for it.
struct MovementRule {
  std::string name;  // "slaughter-fmd-ppr"
  Purpose purpose = Purpose::kSlaughter;
  std::optional<MovementScope> scope;
  std::vector<std::string> species;
  std::vector<std::string> diseases;
  int max_age_days = 0;
};

// The rules that ship with HerdPass: FMD (O and A) and PPR for slaughter and sale; FMD, PPR, sheep
// pox and anthrax for export; FMD for every move across provinces. Overridable by configuration.
const std::vector<MovementRule>& DefaultMovementRules();

// One revoked certificate in the revocation list.
struct Revocation {
  int64_t sequence = 0;  // 1, 2, 3, ... in the order revoked
  std::string certificate_id;
  Timestamp revoked_at{};
};

// "Aigerim Nurlanovna" -> "A****** N*********": first letter of each word, the rest masked.
std::string MaskName(std::string_view name);
// PhoneLast4 (the owner's last 4 digits) is in domain/phone.h.

}  // namespace herdpass
