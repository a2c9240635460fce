#include "domain/holding.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace herdpass {
namespace {

struct KindName {
  HoldingKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {
    {HoldingKind::kFarm, "farm"},
    {HoldingKind::kWinterCamp, "winter_camp"},
    {HoldingKind::kSummerPasture, "summer_pasture"},
    {HoldingKind::kMarket, "market"},
    {HoldingKind::kSlaughterhouse, "slaughterhouse"},
    {HoldingKind::kQuarantineStation, "quarantine_station"},
    {HoldingKind::kCheckpoint, "checkpoint"},
    {HoldingKind::kBorderPost, "border_post"},
};

constexpr double kEarthRadiusM = 6371008.8;

double Radians(double degrees) { return degrees * std::numbers::pi / 180.0; }
double Degrees(double radians) { return radians * 180.0 / std::numbers::pi; }

bool CodeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

bool Blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

}  // namespace

const char* HoldingKindName(HoldingKind k) {
  for (const KindName& kn : kKinds) {
    if (kn.kind == k) return kn.name;
  }
  return "farm";
}

Result<HoldingKind> ParseHoldingKind(std::string_view name, std::string_view field) {
  for (const KindName& kn : kKinds) {
    if (name == kn.name) return kn.kind;
  }
  return InvalidArgument(std::string(field),
                         name.empty() ? "kind is required"
                                      : "unknown kind '" + std::string(name) +
                                            "': farm, winter_camp, summer_pasture, market, "
                                            "slaughterhouse, quarantine_station, checkpoint or "
                                            "border_post");
}

bool HoldingKindHasOwner(HoldingKind k) {
  return k == HoldingKind::kFarm || k == HoldingKind::kWinterCamp ||
         k == HoldingKind::kSummerPasture;
}

Status ValidateHolding(const Holding& h) {
  if (h.code.empty()) return InvalidArgument("code", "code is required");
  if (h.code.size() > 32 || !std::all_of(h.code.begin(), h.code.end(), CodeChar)) {
    return InvalidArgument("code", "code is 1 to 32 letters, digits, '-', '_' or '.'");
  }
  if (h.name.empty() || Blank(h.name)) return InvalidArgument("name", "name is required");
  if (h.name.size() > 200) return InvalidArgument("name", "name is longer than 200 characters");
  if (!(h.lat >= -90 && h.lat <= 90)) {
    return InvalidArgument("lat", "lat must be between -90 and 90");
  }
  if (!(h.lon >= -180 && h.lon <= 180)) {
    return InvalidArgument("lon", "lon must be between -180 and 180");
  }
  if (h.owner_id && !HoldingKindHasOwner(h.kind)) {
    return InvalidArgument("owner_id", std::string("a ") + HoldingKindName(h.kind) +
                                           " has no owner: only farms, winter camps and summer "
                                           "pastures have one");
  }
  if (h.closed_on && *h.closed_on < h.opened_on) {
    return InvalidArgument("closed_on", "closed_on is before opened_on");
  }
  return Status::Ok();
}

Status CheckHoldingOpenOn(const Holding& h, Date day, std::string_view field) {
  if (day < h.opened_on) {
    return InvalidArgument(std::string(field), "the holding " + h.code + " opened on " +
                                                   h.opened_on.ToString() + ", after " +
                                                   day.ToString());
  }
  if (h.closed_on && day > *h.closed_on) {
    return InvalidArgument(std::string(field), "the holding " + h.code + " closed on " +
                                                   h.closed_on->ToString() + ", before " +
                                                   day.ToString());
  }
  return Status::Ok();
}

double DistanceMeters(double lat1, double lon1, double lat2, double lon2) {
  const double p1 = Radians(lat1), p2 = Radians(lat2);
  const double dp = p2 - p1, dl = Radians(lon2 - lon1);
  const double a = std::sin(dp / 2) * std::sin(dp / 2) +
                   std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}

GeoBox BoxAround(double lat, double lon, double radius_m) {
  const double dlat = Degrees(radius_m / kEarthRadiusM);
  GeoBox box;
  box.min_lat = std::max(-90.0, lat - dlat);
  box.max_lat = std::min(90.0, lat + dlat);
  // The widest a circle of latitudes [min_lat, max_lat] spans in longitude is at its latitude
  // farthest from the equator: dlon = asin(sin(r) / cos(lat)) there. Where that latitude is a pole
  // (the circle holds one), every longitude is in.
  const double far = std::max(std::abs(box.min_lat), std::abs(box.max_lat));
  const double s = std::sin(radius_m / kEarthRadiusM) / std::cos(Radians(far));
  if (far >= 90.0 || s >= 1.0) {
    box.min_lon = -180;
    box.max_lon = 180;
    return box;
  }
  const double dlon = Degrees(std::asin(s));
  box.min_lon = lon - dlon;
  box.max_lon = lon + dlon;
  if (box.min_lon < -180 || box.max_lon > 180) {  // across the antimeridian: all longitudes
    box.min_lon = -180;
    box.max_lon = 180;
  }
  return box;
}

}  // namespace herdpass
