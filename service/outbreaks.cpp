// W14 (issue 13): outbreak reports from the field, the vet's decision, and the zones that stop
// movements out of them. The rules of a zone (valid, in force, who is inside, the 422 failure) are
// in domain/outbreak.h; here: who may do what where, the requests' fields, and the audit.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cert/documents.h"
#include "domain/audit_detail.h"
#include "domain/movement.h"
#include "domain/outbreak.h"
#include "service/cert_state.h"
#include "service/service.h"

namespace herdpass {
namespace {

constexpr std::string_view kNilUuid = "00000000-0000-0000-0000-000000000000";
constexpr size_t kMaxNote = 1000;
constexpr size_t kMaxLabReference = 100;
constexpr size_t kMaxReason = 500;
constexpr int64_t kMaxHead = 1000000;

Status CheckNote(const std::string& value, size_t max, const std::string& field, bool required) {
  if (required && value.empty()) return InvalidArgument(field, field + " is required");
  if (value.size() > max) {
    return InvalidArgument(field, field + " is longer than " + std::to_string(max) + " characters");
  }
  for (char ch : value) {
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n') {
      return InvalidArgument(field, field + " holds a control character");
    }
  }
  return Status::Ok();
}

Result<int32_t> HeadCount(const std::optional<int64_t>& head, const std::string& field) {
  if (!head) return InvalidArgument(field, field + " is required (0 when none)");
  if (*head < 0 || *head > kMaxHead) {
    return InvalidArgument(field, field + " must be from 0 to 1000000");
  }
  return static_cast<int32_t>(*head);
}

Result<double> Coordinate(const std::optional<double>& v, const std::string& field, double limit) {
  if (!v) return InvalidArgument(field, field + " is required");
  if (!std::isfinite(*v) || *v < -limit || *v > limit) {
    return InvalidArgument(field, field + " must be from -" + std::to_string(int(limit)) + " to " +
                                      std::to_string(int(limit)));
  }
  return *v;
}

std::string KmText(double km) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", km);
  return buf;
}

// The authority subtree a list reads (GET /outbreaks, GET /zones): `authority` when given, which
// must be a code within the caller's jurisdiction (kInvalidArgument, kPermissionDenied naming
// authority), else the caller's own; every authority for the system caller that names none.
struct ListScope {
  std::string scope;
  bool all_authorities = false;
};

Result<ListScope> ScopeOfList(const Caller& caller, const std::string& authority) {
  ListScope s;
  s.scope = authority.empty() ? caller.authority : authority;
  s.all_authorities = caller.system && authority.empty();
  if (!s.all_authorities) {
    HP_RETURN_IF_ERROR(ValidateAuthorityCode(s.scope, "authority"));
    if (!caller.system && !InJurisdiction(caller.authority, s.scope)) {
      return Status(StatusCode::kPermissionDenied,
                    "the authority " + s.scope + " is outside your jurisdiction", "authority");
    }
  }
  return s;
}

}  // namespace

// --- reports ---

Result<OutbreakResult> HerdService::ReportOutbreak(const Caller& caller,
                                                   const OutbreakReportRequest& req) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReportOutbreak));
  Outbreak o;
  HP_ASSIGN_OR_RETURN(o.id, NormalizeUuid(req.id, "id"));
  if (o.id == kNilUuid) {
    return InvalidArgument("id", "the nil UUID is not a report id: make a UUIDv7");
  }
  if (!req.holding) return InvalidArgument("holding", "holding is required");
  HP_ASSIGN_OR_RETURN(const Holding h, HoldingFor(caller, *req.holding, "holding"));
  const Disease* disease = catalogue_.FindDisease(req.disease);
  if (disease == nullptr) {
    return InvalidArgument("disease", "disease must be a disease code of the catalogue");
  }
  if (catalogue_.FindSpecies(req.species) == nullptr) {
    return InvalidArgument("species", "species must be a species code of the catalogue");
  }
  if (std::find(disease->species.begin(), disease->species.end(), req.species) ==
      disease->species.end()) {
    return InvalidArgument("species", disease->code + " does not apply to " + req.species);
  }
  if (req.first_signs_on.empty()) {
    return InvalidArgument("first_signs_on", "first_signs_on is required");
  }
  HP_ASSIGN_OR_RETURN(o.first_signs_on, Date::Parse(req.first_signs_on, "first_signs_on"));
  const Date today = clock_.Today();
  // As tag-life dates: one day ahead for a phone whose clock runs fast.
  if (today.AddDays(1) < o.first_signs_on) {
    return InvalidArgument("first_signs_on", "first_signs_on is in the future");
  }
  if (o.first_signs_on < today.AddYears(-1)) {
    return InvalidArgument("first_signs_on", "first_signs_on is more than a year back");
  }
  HP_ASSIGN_OR_RETURN(o.head_sick, HeadCount(req.head_sick, "head_sick"));
  HP_ASSIGN_OR_RETURN(o.head_dead, HeadCount(req.head_dead, "head_dead"));
  HP_ASSIGN_OR_RETURN(o.lat, Coordinate(req.lat, "lat", 90));
  HP_ASSIGN_OR_RETURN(o.lon, Coordinate(req.lon, "lon", 180));
  HP_RETURN_IF_ERROR(CheckNote(req.note, kMaxNote, "note", false));
  o.note = req.note;
  o.holding_id = h.id;
  o.authority = h.authority;
  o.disease = disease->code;
  o.species = req.species;
  o.reported_by = caller.user_id;
  o.reported_at = clock_.Now();
  o.status = OutbreakStatus::kReported;
  AuditDetail detail;
  detail.Add("disease", o.disease)
      .Add("species", o.species)
      .Add("holding", h.id)
      .Add("first_signs_on", o.first_signs_on.ToString())
      .Add("head_sick", o.head_sick)
      .Add("head_dead", o.head_dead);
  return store_.RecordOutbreak(
      o, caller.authority, caller.system,
      AuditFor(caller, h.authority, "outbreak.report", "outbreak:" + o.id, detail.Text()));
}

namespace {

// The decision of `caller` on the report `id`, with the checks shared by confirm and rule out.
Outbreak Decision(const Caller& caller, const std::string& id, OutbreakStatus status, Timestamp now,
                  std::string lab_reference, std::string note) {
  Outbreak d;
  d.id = id;
  d.status = status;
  d.decided_by = caller.user_id;
  d.decided_at = now;
  d.lab_reference = std::move(lab_reference);
  d.decision_note = std::move(note);
  return d;
}

}  // namespace

Result<Outbreak> HerdService::ConfirmOutbreak(const Caller& caller, const std::string& id,
                                              const std::string& lab_reference,
                                              const std::string& note) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kDecideOutbreak));
  auto found = store_.FindOutbreak(id);
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
  if (!found.ok() || (!caller.system && !InJurisdiction(caller.authority, found->authority))) {
    return NotFound("no outbreak report " + id + " in your jurisdiction");
  }
  HP_RETURN_IF_ERROR(CheckNote(lab_reference, kMaxLabReference, "lab_reference", true));
  HP_RETURN_IF_ERROR(CheckNote(note, kMaxNote, "note", false));
  return store_.DecideOutbreak(
      Decision(caller, found->id, OutbreakStatus::kConfirmed, clock_.Now(), lab_reference, note),
      AuditFor(caller, found->authority, "outbreak.confirm", "outbreak:" + found->id,
               AuditDetail().Add("lab_reference", lab_reference).Text()));
}

Result<Outbreak> HerdService::RuleOutOutbreak(const Caller& caller, const std::string& id,
                                              const std::string& note) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kDecideOutbreak));
  auto found = store_.FindOutbreak(id);
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
  if (!found.ok() || (!caller.system && !InJurisdiction(caller.authority, found->authority))) {
    return NotFound("no outbreak report " + id + " in your jurisdiction");
  }
  HP_RETURN_IF_ERROR(CheckNote(note, kMaxNote, "note", false));
  return store_.DecideOutbreak(
      Decision(caller, found->id, OutbreakStatus::kRuledOut, clock_.Now(), "", note),
      AuditFor(caller, found->authority, "outbreak.rule_out", "outbreak:" + found->id,
               AuditDetail().Add("note", note).Text()));
}

Result<std::vector<Outbreak>> HerdService::ListOutbreaks(const Caller& caller,
                                                         const OutbreakListRequest& req) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadOutbreaks));
  HP_ASSIGN_OR_RETURN(ListScope scope, ScopeOfList(caller, req.authority));
  OutbreakListQuery q;
  q.scope = std::move(scope.scope);
  q.all_authorities = scope.all_authorities;
  if (!req.status.empty()) {
    HP_ASSIGN_OR_RETURN(q.status, ParseOutbreakStatus(req.status, "status"));
  }
  if (req.limit) {
    if (*req.limit < 1 || *req.limit > 1000) {
      return InvalidArgument("limit", "limit must be from 1 to 1000");
    }
    q.limit = static_cast<int>(*req.limit);
  }
  HP_ASSIGN_OR_RETURN(std::vector<Outbreak> items, store_.ListOutbreaks(q));
  // Every read is audited (issue 13 item 1), with what was asked and how many reports it showed:
  // a screen that polls for new reports leaves one row per poll, which says who watched and when.
  AuditDetail detail;
  detail.Add("scope", q.all_authorities ? std::string("*") : q.scope)
      .Add("status", req.status)
      .Add("count", static_cast<int64_t>(items.size()));
  HP_RETURN_IF_ERROR(store_.AppendAudit(
      AuditFor(caller, q.all_authorities ? caller.authority : q.scope, "outbreak.list",
               "outbreaks:" + (q.all_authorities ? std::string("*") : q.scope), detail.Text())));
  return items;
}

// --- zones ---

Result<Zone> HerdService::DeclareZone(const Caller& caller, const ZoneRequest& req) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageZones));
  Zone z;
  std::optional<Outbreak> outbreak;
  if (!req.outbreak_id.empty()) {
    auto found = store_.FindOutbreak(req.outbreak_id);
    if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
    if (!found.ok() || (!caller.system && !InJurisdiction(caller.authority, found->authority))) {
      return InvalidArgument("outbreak_id", "no outbreak report with this id in your jurisdiction");
    }
    if (found->status != OutbreakStatus::kConfirmed) {
      return Status(StatusCode::kFailedPrecondition,
                    std::string("the outbreak report is ") + OutbreakStatusName(found->status) +
                        ": a zone is declared around a confirmed outbreak",
                    "outbreak_id");
    }
    outbreak = std::move(found).value();
  }
  if (req.protection_km || req.surveillance_km) {
    if (!outbreak) {
      return InvalidArgument("outbreak_id",
                             "a zone of radii is declared around an outbreak: outbreak_id is "
                             "required");
    }
    if (!req.protection_km) return InvalidArgument("protection_km", "protection_km is required");
    if (!req.surveillance_km) {
      return InvalidArgument("surveillance_km", "surveillance_km is required");
    }
    // A radius of zero is refused by ValidateZone, not read as "no radius".
    z.protection_km = *req.protection_km;
    z.surveillance_km = *req.surveillance_km;
    if (z.protection_km == 0) {
      return InvalidArgument("protection_km", "protection_km must be above 0 and at most 100");
    }
  }
  z.authorities = req.authorities;
  for (size_t i = 0; i < z.authorities.size(); ++i) {
    const std::string field = "authorities[" + std::to_string(i) + "]";
    HP_RETURN_IF_ERROR(ValidateAuthorityCode(z.authorities[i], field));
    if (!caller.system && !InJurisdiction(caller.authority, z.authorities[i])) {
      return Status(StatusCode::kPermissionDenied,
                    "the authority " + z.authorities[i] + " is outside your jurisdiction", field);
    }
  }
  z.disease = req.disease.empty() && outbreak ? outbreak->disease : req.disease;
  if (!z.disease.empty() && catalogue_.FindDisease(z.disease) == nullptr) {
    return InvalidArgument("disease", "disease must be a disease code of the catalogue");
  }
  if (outbreak && z.disease != outbreak->disease) {
    return InvalidArgument("disease",
                           "the outbreak is of " + outbreak->disease + ", not " + z.disease);
  }
  z.species = req.species;
  if (z.species.empty() && outbreak) z.species = {outbreak->species};
  for (size_t i = 0; i < z.species.size(); ++i) {
    if (catalogue_.FindSpecies(z.species[i]) == nullptr) {
      return InvalidArgument("species[" + std::to_string(i) + "]",
                             "species must be species codes of the catalogue");
    }
  }
  // The local day, as issuance judges zones by (ServiceConfig::local_utc_offset).
  const Date today = Date::Of(clock_.Now() + config_.local_utc_offset);
  if (req.starts_on.empty()) {
    z.starts_on = today;
  } else {
    HP_ASSIGN_OR_RETURN(z.starts_on, Date::Parse(req.starts_on, "starts_on"));
  }
  if (req.ends_on.empty()) return InvalidArgument("ends_on", "ends_on is required");
  HP_ASSIGN_OR_RETURN(z.ends_on, Date::Parse(req.ends_on, "ends_on"));
  HP_RETURN_IF_ERROR(ValidateZone(z));
  if (z.ends_on < today) return InvalidArgument("ends_on", "ends_on is in the past");
  if (outbreak) {
    z.outbreak_id = outbreak->id;
    HP_ASSIGN_OR_RETURN(const Holding centre, store_.FindHolding(outbreak->holding_id));
    z.authority = outbreak->authority;
    if (z.by_radius()) {
      z.holding_id = centre.id;
      z.lat = centre.lat;
      z.lon = centre.lon;
    }
  } else {
    z.authority = caller.system ? z.authorities.front() : caller.authority;
  }
  z.declared_by = caller.user_id;
  z.declared_at = clock_.Now();
  AuditDetail detail;
  detail.Add("disease", z.disease).Add("ends_on", z.ends_on.ToString());
  if (z.by_radius()) {
    detail.Add("protection_km", KmText(z.protection_km))
        .Add("surveillance_km", KmText(z.surveillance_km));
  } else {
    detail.Add("authorities", z.authorities);
  }
  if (outbreak) detail.Add("outbreak", outbreak->id);
  auto created =
      store_.CreateZone(z, AuditFor(caller, z.authority, "zone.declare",
                                    "zone:" + z.authority + "/" + z.disease, detail.Text()));
  // Published with the next revocation list asked for, not after the cache's seconds.
  certs_->InvalidateZones();
  return created;
}

Result<Zone> HerdService::ZoneFor(const Caller& caller, int64_t id) {
  auto z = store_.FindZone(id);
  if (!z.ok() && z.status().code() != StatusCode::kNotFound) return z.status();
  if (!z.ok() || (!caller.system && !InJurisdiction(caller.authority, z->authority))) {
    return NotFound("no zone " + std::to_string(id) + " in your jurisdiction");
  }
  return z;
}

Result<std::vector<Zone>> HerdService::ListZones(const Caller& caller, const ZoneListRequest& req) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadOutbreaks));
  HP_ASSIGN_OR_RETURN(const ListScope scope, ScopeOfList(caller, req.authority));
  // The local day, as issuance judges zones by. The zones in force are few (a handful per
  // outbreak), so the store's list of them all is filtered here rather than by a query per scope.
  // Not audited: a zone is published to every verifier with the revocation list, and names a
  // holding and the user who declared it, no owner.
  HP_ASSIGN_OR_RETURN(std::vector<Zone> zones,
                      store_.ListZonesInForce(Date::Of(clock_.Now() + config_.local_utc_offset)));
  if (!scope.all_authorities) {
    std::erase_if(zones, [&](const Zone& z) { return !InJurisdiction(scope.scope, z.authority); });
  }
  return zones;
}

Result<Zone> HerdService::GetZone(const Caller& caller, int64_t id) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadOutbreaks));
  return ZoneFor(caller, id);
}

Result<Zone> HerdService::LiftZone(const Caller& caller, int64_t id, const std::string& reason) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageZones));
  HP_ASSIGN_OR_RETURN(const Zone z, ZoneFor(caller, id));
  HP_RETURN_IF_ERROR(CheckNote(reason, kMaxReason, "reason", true));
  auto lifted =
      store_.LiftZone(z.id, caller.user_id, clock_.Now(), reason,
                      AuditFor(caller, z.authority, "zone.lift", "zone:" + std::to_string(z.id),
                               AuditDetail().Add("reason", reason).Text()));
  certs_->InvalidateZones();
  return lifted;
}

Result<std::vector<RuleFailure>> HerdService::ZoneFailuresFor(std::span<const Zone> zones,
                                                              std::optional<int64_t> origin_holding,
                                                              const std::string& origin,
                                                              const std::string& species,
                                                              Date today) {
  if (zones.empty()) return std::vector<RuleFailure>();
  Origin from;
  from.authority = origin;
  if (origin_holding) {
    auto h = store_.FindHolding(*origin_holding);
    if (!h.ok() && h.status().code() != StatusCode::kNotFound) return h.status();
    if (!h.ok()) return std::vector<RuleFailure>();
    from.holding = std::move(h).value();
  }
  return ZoneFailures(zones, from, species, today);
}

Result<std::shared_ptr<const ZonesInForce>> HerdService::ZonesForIssuance(Date today) {
  if (auto kept = certs_->ZonesForIssuance(today)) return kept;
  HP_ASSIGN_OR_RETURN(ZonesInForce loaded, store_.LoadZonesInForce(today));
  auto zones = std::make_shared<const ZonesInForce>(std::move(loaded));
  certs_->KeepZonesForIssuance(zones);
  return zones;
}

Result<std::vector<Certificate>> HerdService::ZoneCertificates(const Caller& caller, int64_t id) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageZones));
  HP_ASSIGN_OR_RETURN(Zone z, ZoneFor(caller, id));
  return CertificatesCaughtBy(std::move(z));
}

Result<std::vector<Certificate>> HerdService::CertificatesCaughtBy(Zone z) {
  // Judged as if in force on its first day, lifted or not: the list is what the zone caught.
  z.lifted_at.reset();
  std::vector<Certificate> out;
  MovementListQuery q;
  q.side = MovementListQuery::Side::kOutgoing;
  q.all_authorities = true;
  q.status = MovementStatus::kPlanned;
  q.now = clock_.Now();
  q.before_issued_at = z.declared_at;
  q.limit = 1000;
  const std::vector<Zone> one = {z};
  for (;;) {
    HP_ASSIGN_OR_RETURN(std::vector<Certificate> page, store_.ListMovements(q));
    for (Certificate& c : page) {
      if (!c.origin_holding_id) continue;
      auto h = store_.FindHolding(*c.origin_holding_id);
      if (!h.ok()) return h.status();
      Origin from{std::move(h).value(), c.origin};
      if (!ZoneFailures(one, from, c.species, z.starts_on).empty()) out.push_back(std::move(c));
    }
    if (page.size() < static_cast<size_t>(q.limit)) break;
    q.before_issued_at = page.back().issued_at;
    q.before_id = page.back().id;
  }
  return out;
}

Result<std::shared_ptr<const ZoneSnapshot>> HerdService::PublishedZones(Date today, Timestamp now) {
  if (auto kept = certs_->PublishedZones(today, now)) return kept;
  auto snapshot = std::make_shared<ZoneSnapshot>();
  snapshot->day = today;
  snapshot->loaded_at = now;
  HP_ASSIGN_OR_RETURN(const std::vector<Zone> zones, store_.ListZonesInForce(today));
  for (const Zone& z : zones) {
    cert::PublishedZone p;
    p.id = z.id;
    p.disease = z.disease;
    p.species = z.species;
    p.starts_on = z.starts_on;
    p.ends_on = z.ends_on;
    p.authorities = z.authorities;
    HP_ASSIGN_OR_RETURN(const std::vector<Certificate> caught, CertificatesCaughtBy(z));
    for (const Certificate& c : caught) {
      auto hash = cert::RevocationHash(c.id);
      if (hash.ok()) p.certificates.push_back(std::move(hash).value());
    }
    std::sort(p.certificates.begin(), p.certificates.end());
    snapshot->key += std::to_string(p.id) + ":" + p.ends_on.ToString() + ":";
    for (const std::string& h : p.certificates) snapshot->key += h;
    snapshot->key += ";";
    snapshot->zones.push_back(std::move(p));
  }
  certs_->KeepPublishedZones(snapshot);
  return std::shared_ptr<const ZoneSnapshot>(std::move(snapshot));
}

Result<ZoneRevocation> HerdService::RevokeZoneCertificates(const Caller& caller, int64_t id,
                                                           const std::string& reason) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageZones));
  HP_ASSIGN_OR_RETURN(const Zone z, ZoneFor(caller, id));
  HP_RETURN_IF_ERROR(CheckNote(reason, kMaxReason, "reason", true));
  HP_ASSIGN_OR_RETURN(std::vector<Certificate> caught, ZoneCertificates(caller, z.id));
  ZoneRevocation out;
  const std::string why = "zone " + std::to_string(z.id) + ": " + reason;
  for (const Certificate& c : caught) {
    auto revoked = RevokeCertificate(caller, c.id, why);
    if (revoked.ok()) {
      out.revoked.push_back(std::move(revoked).value());
    } else {
      out.failed.emplace_back(c.number, revoked.status().message());
    }
  }
  return out;
}

}  // namespace herdpass
