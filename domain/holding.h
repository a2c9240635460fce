// Holdings (W12): the places where animals are kept or pass, with a GPS point. The kinds, the rules
// of a valid holding (each written once, here), and the distance on the globe used to list
// holdings nearest first. Value types and pure functions; store/ persists holdings, service/ checks
// who may create and read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

enum class HoldingKind {
  kFarm,
  kWinterCamp,
  kSummerPasture,
  kMarket,
  kSlaughterhouse,
  kQuarantineStation,
  kCheckpoint,
  kBorderPost,
};

const char* HoldingKindName(HoldingKind k);  // "farm", "winter_camp", ...
// kInvalidArgument naming `field` for a name that is no kind.
Result<HoldingKind> ParseHoldingKind(std::string_view name, std::string_view field = "kind");
// Farms, winter camps and summer pastures are kept by an owner; markets, slaughterhouses,
// quarantine stations, checkpoints and border posts are public places and have none.
bool HoldingKindHasOwner(HoldingKind k);

struct Holding {
  int64_t id = 0;
  std::string code;  // unique within its authority
  HoldingKind kind = HoldingKind::kFarm;
  std::string name;
  std::string authority;
  std::optional<int64_t> owner_id;
  std::string owner_masked_name;  // "A*** B***" when there is an owner (MaskName), else ""
  double lat = 0;
  double lon = 0;
  Date opened_on;
  std::optional<Date> closed_on;
  Timestamp created_at{};
};

// The rules of a holding, whoever makes it: code (1 to 32 of [A-Za-z0-9-_.]), name (1 to 200
// characters, not blank), lat in [-90, 90] and lon in [-180, 180], no owner for the kinds that have
// none (field "owner_id"), closed_on not before opened_on. kInvalidArgument naming the field.
// Authority codes are checked by ValidateAuthorityCode (domain/model.h).
Status ValidateHolding(const Holding& h);

// Whether animals may be placed at or vaccinated at the holding on `day`: not before it opened nor
// after it closed. kInvalidArgument naming `field`.
Status CheckHoldingOpenOn(const Holding& h, Date day, std::string_view field);

// The great-circle distance in metres between two points (degrees), by the haversine formula on a
// sphere of the Earth's mean radius (6,371,008.8 m): within 0.5% of the ellipsoid, plenty to order
// holdings by nearness.
double DistanceMeters(double lat1, double lon1, double lat2, double lon2);

// A box of latitudes and longitudes (degrees) that holds every point within `radius_m` of
// (lat, lon), for an index range scan before the exact distance is computed. Near a pole, or where
// the circle crosses the antimeridian, the longitudes span all of [-180, 180]: the box is then
// larger than needed, never too small.
struct GeoBox {
  double min_lat = 0, max_lat = 0, min_lon = 0, max_lon = 0;
};
GeoBox BoxAround(double lat, double lon, double radius_m);

}  // namespace herdpass
