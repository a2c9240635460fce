// Outbreaks and zones (W14, issue 13): a suspected outbreak reported from the field, a vet's
// decision on it, and the zones declared around confirmed ones that stop movements out of them.
// The rules, written once: what a valid zone is, when it is in force, which holdings it holds,
// and the 422 failure a certificate out of it gets (the same RuleFailure movement rules give).
// Value types and pure functions; store/ persists them, service/ checks who may do what.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/holding.h"
#include "domain/movement_rules.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

enum class OutbreakStatus { kReported, kConfirmed, kRuledOut };
const char* OutbreakStatusName(OutbreakStatus s);  // "reported", "confirmed", "ruled_out"
// kInvalidArgument naming `field` for any other text.
Result<OutbreakStatus> ParseOutbreakStatus(std::string_view text,
                                           std::string_view field = "status");

struct Outbreak {
  std::string id;  // UUID made on the device, canonical lowercase: a second send is stored once
  int64_t holding_id = 0;
  std::string authority;  // the holding's: who sees and decides the report
  std::string disease;    // catalogue code
  std::string species;    // catalogue code
  Date first_signs_on;
  int32_t head_sick = 0;
  int32_t head_dead = 0;
  double lat = 0;  // where the reporter stood (the phone's GPS)
  double lon = 0;
  std::string note;
  int64_t reported_by = 0;
  Timestamp reported_at{};
  OutbreakStatus status = OutbreakStatus::kReported;
  // The vet's decision (confirmed or ruled out), once.
  int64_t decided_by = 0;
  std::optional<Timestamp> decided_at;
  std::string lab_reference;  // confirmed: the laboratory's reference of the sample
  std::string decision_note;
};

// A zone around a confirmed outbreak: either two circles around the outbreak's holding
// (protection inside surveillance) or a list of authority subtrees.
struct Zone {
  int64_t id = 0;
  std::string disease;
  std::string outbreak_id;  // "" for a zone of authority codes declared without an outbreak
  int64_t holding_id = 0;   // the centre: the outbreak's holding (0 for authority codes)
  double lat = 0;           // the centre's GPS point
  double lon = 0;
  double protection_km = 0;  // 0 for a zone of authority codes
  double surveillance_km = 0;
  std::vector<std::string> authorities;  // empty for a zone of radii
  std::vector<std::string> species;      // the species it restricts (catalogue codes)
  Date starts_on;
  Date ends_on;           // the last day it holds
  std::string authority;  // whose zone: who may see it, lift it and review its certificates
  int64_t declared_by = 0;
  Timestamp declared_at{};
  std::optional<Timestamp> lifted_at;
  int64_t lifted_by = 0;
  std::string lift_reason;

  bool by_radius() const { return authorities.empty(); }
};

// The longest radius a zone may have (EU Regulation 2020/687 asks 3 and 10 km for FMD; 100 km
// leaves room for a wider surveillance zone, and catches a value typed in metres).
inline constexpr double kMaxZoneRadiusKm = 100;

// The rules of a zone, whoever declares it: a disease; either radii (protection_km above 0 and at
// most kMaxZoneRadiusKm, surveillance_km from protection_km to kMaxZoneRadiusKm) or authorities
// (1 to 50 valid codes, field "authorities"), not both; 1 to 20 species; ends_on not before
// starts_on. kInvalidArgument naming the field.
Status ValidateZone(const Zone& z);

// Whether the zone holds on `day` at `now`: not lifted, and starts_on <= day <= ends_on.
bool ZoneInForce(const Zone& z, Date day);
bool ZoneRestricts(const Zone& z, std::string_view species);

// Which part of the zone a place is in: "protection" or "surveillance" (by its distance from the
// centre), "authority" (its authority is in one of the zone's subtrees), or "" outside.
// `authority` is the place's authority code; lat and lon its GPS point, when it has one.
std::string ZoneRingOf(const Zone& z, std::string_view authority, std::optional<double> lat,
                       std::optional<double> lon);

// Where a certificate's animals leave from: the origin holding when it names one, else only the
// origin authority code.
struct Origin {
  std::optional<Holding> holding;
  std::string authority;
};

// The failures of a movement of `species` out of `origin` on `day`: one per zone in force that
// restricts the species and holds the origin, in the order given, rule "zone", with the zone's id
// and ring. Empty when the movement may go.
std::vector<RuleFailure> ZoneFailures(std::span<const Zone> zones, const Origin& origin,
                                      std::string_view species, Date day);

}  // namespace herdpass
