#include "domain/outbreak.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "domain/model.h"

namespace herdpass {
namespace {

constexpr size_t kMaxZoneAuthorities = 50;
constexpr size_t kMaxZoneSpecies = 20;

std::string Km(double km) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", km);
  return buf;
}

}  // namespace

const char* OutbreakStatusName(OutbreakStatus s) {
  switch (s) {
    case OutbreakStatus::kReported:
      return "reported";
    case OutbreakStatus::kConfirmed:
      return "confirmed";
    case OutbreakStatus::kRuledOut:
      return "ruled_out";
  }
  return "reported";
}

Result<OutbreakStatus> ParseOutbreakStatus(std::string_view text, std::string_view field) {
  for (auto s :
       {OutbreakStatus::kReported, OutbreakStatus::kConfirmed, OutbreakStatus::kRuledOut}) {
    if (text == OutbreakStatusName(s)) return s;
  }
  return InvalidArgument(std::string(field),
                         std::string(field) + " must be reported, confirmed or ruled_out");
}

Status ValidateZone(const Zone& z) {
  if (z.disease.empty()) return InvalidArgument("disease", "disease is required");
  const bool radii = z.protection_km != 0 || z.surveillance_km != 0;
  if (radii && !z.authorities.empty()) {
    return InvalidArgument("authorities", "give radii or authorities, not both");
  }
  if (!radii && z.authorities.empty()) {
    return InvalidArgument("protection_km",
                           "protection_km and surveillance_km, or authorities, are required");
  }
  if (radii) {
    if (!std::isfinite(z.protection_km) || z.protection_km <= 0 ||
        z.protection_km > kMaxZoneRadiusKm) {
      return InvalidArgument("protection_km", "protection_km must be above 0 and at most 100");
    }
    if (!std::isfinite(z.surveillance_km) || z.surveillance_km < z.protection_km ||
        z.surveillance_km > kMaxZoneRadiusKm) {
      return InvalidArgument("surveillance_km",
                             "surveillance_km must be from protection_km to 100");
    }
  } else {
    if (z.authorities.size() > kMaxZoneAuthorities) {
      return InvalidArgument("authorities", "a zone names at most 50 authorities");
    }
    for (size_t i = 0; i < z.authorities.size(); ++i) {
      HP_RETURN_IF_ERROR(
          ValidateAuthorityCode(z.authorities[i], "authorities[" + std::to_string(i) + "]"));
    }
  }
  if (z.species.empty()) return InvalidArgument("species", "species is required");
  if (z.species.size() > kMaxZoneSpecies) {
    return InvalidArgument("species", "a zone names at most 20 species");
  }
  if (z.ends_on < z.starts_on) {
    return InvalidArgument("ends_on", "ends_on is before starts_on");
  }
  return Status::Ok();
}

bool ZoneInForce(const Zone& z, Date day) {
  return !z.lifted_at && !(day < z.starts_on) && !(z.ends_on < day);
}

bool ZoneRestricts(const Zone& z, std::string_view species) {
  return std::find(z.species.begin(), z.species.end(), species) != z.species.end();
}

std::string ZoneRingOf(const Zone& z, std::string_view authority, std::optional<double> lat,
                       std::optional<double> lon) {
  if (!z.by_radius()) {
    for (const std::string& code : z.authorities) {
      if (InJurisdiction(code, authority)) return "authority";
    }
    return "";
  }
  if (!lat || !lon) return "";
  const double km = DistanceMeters(z.lat, z.lon, *lat, *lon) / 1000;
  if (km <= z.protection_km) return "protection";
  if (km <= z.surveillance_km) return "surveillance";
  return "";
}

std::vector<RuleFailure> ZoneFailures(std::span<const Zone> zones, const Origin& origin,
                                      std::string_view species, Date day) {
  std::vector<RuleFailure> out;
  const std::string& authority = origin.holding ? origin.holding->authority : origin.authority;
  std::optional<double> lat, lon;
  if (origin.holding) {
    lat = origin.holding->lat;
    lon = origin.holding->lon;
  }
  for (const Zone& z : zones) {
    if (!ZoneInForce(z, day) || !ZoneRestricts(z, species)) continue;
    std::string ring = ZoneRingOf(z, authority, lat, lon);
    if (ring.empty()) continue;
    RuleFailure f;
    f.rule = "zone";
    f.disease = z.disease;
    f.animal = origin.holding ? "holding:" + origin.holding->code : "authority:" + authority;
    f.zone_id = z.id;
    std::string where = ring == "authority"
                            ? "zone " + std::to_string(z.id) + " (authority " + authority + ")"
                            : ring + " zone " + std::to_string(z.id) + " (" +
                                  Km(DistanceMeters(z.lat, z.lon, *lat, *lon) / 1000) +
                                  " km from the outbreak)";
    f.message = z.disease + ": the origin is in the " + where + " until " + z.ends_on.ToString() +
                ", which stops movements of " + std::string(species);
    f.ring = std::move(ring);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace herdpass
