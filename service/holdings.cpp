// W12: holdings, the places where animals are kept or pass. The rules of a holding are in
// domain/holding.h; here: who may create and read which, the owner, and the list's paging.
#include <charconv>
#include <cmath>
#include <string_view>

#include "domain/audit_detail.h"
#include "domain/certificate.h"
#include "service/service.h"

namespace herdpass {
namespace {

Result<double> ParseNumber(std::string_view text, const std::string& field,
                           const std::string& what) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || !std::isfinite(v)) {
    return InvalidArgument(field, what);
  }
  return v;
}

Result<int64_t> ParseCount(std::string_view text, const std::string& field) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || v < 0) {
    return InvalidArgument(field, "cursor must be the next_cursor of a page");
  }
  return v;
}

constexpr double kDefaultRadiusKm = 100;

}  // namespace

Result<Holding> HerdService::HoldingFor(const Caller& caller, int64_t id,
                                        const std::string& field) {
  if (id <= 0) return InvalidArgument(field, field + " must be a holding id");
  auto h = store_.FindHolding(id);
  if (!h.ok() && h.status().code() != StatusCode::kNotFound) return h.status();
  if (!h.ok() || (!caller.system && !InJurisdiction(caller.authority, h->authority))) {
    return InvalidArgument(field, "no holding with this id in your jurisdiction");
  }
  return h;
}

Result<Holding> HerdService::CreateHolding(const Caller& caller, const HoldingInput& in) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kCreateHolding));
  Holding h;
  HP_ASSIGN_OR_RETURN(h.kind, ParseHoldingKind(in.kind, "kind"));
  // Vaccinators register owners and their animals where they find them; the places of the state
  // and the trade (markets, slaughterhouses, posts) are registered by vets and admins.
  if (!caller.system && caller.role == Role::kVaccinator && !HoldingKindHasOwner(h.kind)) {
    return Status(StatusCode::kPermissionDenied,
                  std::string("a vaccinator registers farms, winter camps and summer pastures, "
                              "not a ") +
                      HoldingKindName(h.kind),
                  "kind");
  }
  h.code = in.code;
  h.name = in.name;
  h.authority = in.authority.empty() ? caller.authority : in.authority;
  HP_RETURN_IF_ERROR(ValidateAuthorityCode(h.authority));
  if (!caller.system && !InJurisdiction(caller.authority, h.authority)) {
    return Status(StatusCode::kPermissionDenied,
                  "the authority " + h.authority + " is outside your jurisdiction", "authority");
  }
  if (!in.lat) return InvalidArgument("lat", "lat is required");
  if (!in.lon) return InvalidArgument("lon", "lon is required");
  h.lat = *in.lat;
  h.lon = *in.lon;
  HP_ASSIGN_OR_RETURN(h.opened_on, Date::Parse(in.opened_on, "opened_on"));
  if (!in.closed_on.empty()) {
    HP_ASSIGN_OR_RETURN(h.closed_on, Date::Parse(in.closed_on, "closed_on"));
  }
  if (in.owner_id && !in.owner_phone.empty()) {
    return InvalidArgument("owner_phone", "give owner_id or owner_phone, not both");
  }
  const char* owner_field = in.owner_id ? "owner_id" : "owner_phone";
  const bool has_owner = in.owner_id || !in.owner_phone.empty();
  if (has_owner && !HoldingKindHasOwner(h.kind)) {
    return InvalidArgument(owner_field, std::string("a ") + HoldingKindName(h.kind) +
                                            " has no owner: only farms, winter camps and "
                                            "summer pastures have one");
  }
  HP_RETURN_IF_ERROR(ValidateHolding(h));
  if (has_owner) {
    Result<Owner> owner = NotFound("");
    if (in.owner_id) {
      if (*in.owner_id <= 0) return InvalidArgument("owner_id", "owner_id must be positive");
      owner = store_.FindOwnerById(*in.owner_id);
    } else {
      HP_ASSIGN_OR_RETURN(auto phone, phones_.ToE164(in.owner_phone, "owner_phone"));
      // The answer tells whether the number is an owner's: a phone lookup.
      HP_RETURN_IF_ERROR(CheckLookupRate(caller));
      owner = store_.FindOwnerByPhone(phone);
    }
    if (!owner.ok() && owner.status().code() != StatusCode::kNotFound) return owner.status();
    if (!owner.ok() || (!caller.system && !InJurisdiction(caller.authority, owner->authority))) {
      return InvalidArgument(owner_field, "no owner with this " +
                                              std::string(in.owner_id ? "id" : "phone number") +
                                              " in your jurisdiction");
    }
    h.owner_id = owner->id;
    h.owner_masked_name = MaskName(owner->name);
  }
  h.created_at = clock_.Now();
  return store_.CreateHolding(
      h, AuditFor(caller, h.authority, "holding.create", "holding:" + h.authority + "/" + h.code,
                  AuditDetail().Add("kind", HoldingKindName(h.kind)).Add("name", h.name).Text()));
}

Result<Holding> HerdService::GetHolding(const Caller& caller, int64_t id) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadHolding));
  auto h = store_.FindHolding(id);
  if (!h.ok() && h.status().code() != StatusCode::kNotFound) return h.status();
  if (!h.ok() || (!caller.system && !InJurisdiction(caller.authority, h->authority))) {
    return NotFound("no holding with this id in your jurisdiction");
  }
  return h;
}

Result<HoldingPage> HerdService::ListHoldings(const Caller& caller,
                                              const HoldingListRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadHolding));
  HoldingListQuery q;
  if (request.authority.empty()) {
    q.scope = caller.authority;
    q.all_authorities = caller.system;
  } else {
    HP_RETURN_IF_ERROR(ValidateAuthorityCode(request.authority));
    if (!caller.system && !InJurisdiction(caller.authority, request.authority)) {
      return Status(StatusCode::kPermissionDenied,
                    "the authority " + request.authority + " is outside your jurisdiction",
                    "authority");
    }
    q.scope = request.authority;
  }
  if (!request.kind.empty()) {
    HP_ASSIGN_OR_RETURN(q.kind, ParseHoldingKind(request.kind, "kind"));
  }
  if (!request.near.empty()) {
    const std::string_view text = request.near;
    const size_t comma = text.find(',');
    const std::string what = "near is LAT,LON in degrees, as 43.25,76.95";
    if (comma == std::string_view::npos) return InvalidArgument("near", what);
    HP_ASSIGN_OR_RETURN(const double lat, ParseNumber(text.substr(0, comma), "near", what));
    HP_ASSIGN_OR_RETURN(const double lon, ParseNumber(text.substr(comma + 1), "near", what));
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
      return InvalidArgument("near",
                             "near's lat must be between -90 and 90, lon between -180 "
                             "and 180");
    }
    const double km = request.radius_km.value_or(kDefaultRadiusKm);
    if (!(km >= 0.1 && km <= 1000)) {
      return InvalidArgument("radius_km", "radius_km must be from 0.1 to 1000");
    }
    q.near = HoldingListQuery::Near{lat, lon, km * 1000};
  } else if (request.radius_km) {
    return InvalidArgument("radius_km", "radius_km goes with near");
  }
  const int64_t limit = request.limit.value_or(50);
  if (limit < 1 || limit > 1000) return InvalidArgument("limit", "limit must be from 1 to 1000");
  q.limit = static_cast<int>(limit);
  // The cursor: "<id>" of the last item shown, or with near "<distance_m>.<id>".
  if (!request.cursor.empty()) {
    const std::string_view c = request.cursor;
    const size_t dot = c.find('.');
    if (q.near) {
      if (dot == std::string_view::npos) {
        return InvalidArgument("cursor", "cursor must be the next_cursor of a page");
      }
      HP_ASSIGN_OR_RETURN(q.after_distance_m, ParseCount(c.substr(0, dot), "cursor"));
      HP_ASSIGN_OR_RETURN(q.after_id, ParseCount(c.substr(dot + 1), "cursor"));
    } else {
      if (dot != std::string_view::npos) {
        return InvalidArgument("cursor", "cursor must be the next_cursor of a page");
      }
      HP_ASSIGN_OR_RETURN(q.after_id, ParseCount(c, "cursor"));
    }
  }
  HoldingPage page;
  HP_ASSIGN_OR_RETURN(page.items, store_.ListHoldings(q));
  if (page.items.size() == static_cast<size_t>(q.limit)) {
    const HoldingListItem& last = page.items.back();
    page.next_cursor =
        q.near ? std::to_string(*last.distance_m) + "." + std::to_string(last.holding.id)
               : std::to_string(last.holding.id);
  }
  return page;
}

}  // namespace herdpass
