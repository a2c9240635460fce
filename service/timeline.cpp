// W12: an animal's timeline (issue 12 item 6). The store reads what it needs in one snapshot
// (Store::LoadAnimalTimeline); each source below turns one kind of row into entries on its own,
// and domain/timeline.h orders them and masks owners. A new source is one more function in
// kSources.
#include "domain/timeline.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "domain/audit_detail.h"
#include "service/service.h"

namespace herdpass {
namespace {

// What every source reads: the snapshot and how the caller may see it.
struct TimelineContext {
  const AnimalTimelineData& data;
  std::chrono::minutes local_utc_offset;  // the day of an entry with a time is its local day
  bool owner_in_full = false;             // else the owner's masked name only, and no GPS
  // Any other owner (a seller, a buyer) in full only when the caller reads owners and the owner
  // is within `scope` (everywhere for the operator's console).
  bool reads_owners = false;
  bool unrestricted = false;
  std::string scope;
  // data.certificates as the entries show them (the owner's phone digits cleared for a masked
  // owner), each made once and shared by its entries.
  std::vector<std::shared_ptr<const Certificate>> shown_certificates;
};

ShownOwner ShowAnyOwner(const TimelineContext& ctx, int64_t owner_id) {
  for (const Owner& o : ctx.data.owners) {
    if (o.id == owner_id) {
      return ShowOwner(
          o, ctx.reads_owners && (ctx.unrestricted || InJurisdiction(ctx.scope, o.authority)));
    }
  }
  if (owner_id == ctx.data.owner.id) return ShowOwner(ctx.data.owner, ctx.owner_in_full);
  return ShowOwner(Owner{}, false);
}

const Certificate* CertificateOf(const TimelineContext& ctx, const std::string& id) {
  for (const Certificate& c : ctx.data.certificates) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::optional<Holding> HoldingOf(const TimelineContext& ctx, const std::optional<int64_t>& id) {
  if (!id) return std::nullopt;
  for (const Holding& h : ctx.data.holdings) {
    if (h.id == *id) return h;
  }
  return std::nullopt;
}

std::string RecorderName(const TimelineContext& ctx, int64_t user_id) {
  for (const User& u : ctx.data.recorders) {
    if (u.id == user_id) return u.username;
  }
  return {};
}

TimelineEntry AtTime(TimelineKind kind, Timestamp at, const TimelineContext& ctx) {
  TimelineEntry e;
  e.kind = kind;
  e.at = at;
  e.on = Date::Of(at + ctx.local_utc_offset);
  return e;
}

// --- the sources: each adds its entries to `out`, in any order ---

// The stay a registration shows: the one in effect when the animal was registered.
bool IsRegistrationStay(const TimelineContext& ctx, const HoldingStay& stay) {
  return stay.certificate_id.empty() && stay.since <= ctx.data.animal.created_at;
}

void Registration(const TimelineContext& ctx, std::vector<TimelineEntry>& out) {
  const Animal& animal = ctx.data.animal;
  TimelineEntry e = AtTime(TimelineKind::kRegistered, animal.created_at, ctx);
  // Its first owner: the seller of its first change, if it was ever sold (for a flock bought as
  // heads of another, the buyer: it was registered by the sale).
  int64_t first_owner = ctx.data.owner.id;
  for (const OwnershipChange& c : ctx.data.changes) {
    if (c.animal_id == animal.id) {
      first_owner = c.from_owner_id;
      break;
    }
    if (c.to_animal_id == animal.id) {
      first_owner = c.to_owner_id;
      break;
    }
  }
  e.owner = ShowAnyOwner(ctx, first_owner);
  // Where it was kept then (its history of holdings); an animal with none kept no holding.
  std::optional<int64_t> then;
  for (const HoldingStay& stay : ctx.data.stays) {
    if (IsRegistrationStay(ctx, stay)) then = stay.holding_id;
  }
  e.holding = HoldingOf(ctx, then);
  out.push_back(std::move(e));
}

// Every holding it came to after its registration, with the date.
void Holdings(const TimelineContext& ctx, std::vector<TimelineEntry>& out) {
  for (const HoldingStay& stay : ctx.data.stays) {
    if (IsRegistrationStay(ctx, stay)) continue;
    TimelineEntry e = AtTime(TimelineKind::kHolding, stay.since, ctx);
    e.holding = HoldingOf(ctx, stay.holding_id);
    if (const Certificate* c = CertificateOf(ctx, stay.certificate_id)) {
      e.certificate_number = c->number;
    }
    out.push_back(std::move(e));
  }
}

void Passages(const TimelineContext& ctx, std::vector<TimelineEntry>& out) {
  for (const Passage& p : ctx.data.passages) {
    TimelineEntry e = AtTime(TimelineKind::kPassage, p.at, ctx);
    e.holding = HoldingOf(ctx, p.holding_id);
    e.passage = p;
    e.by = RecorderName(ctx, p.recorded_by);
    if (const Certificate* c = CertificateOf(ctx, p.certificate_id)) {
      e.certificate_number = c->number;
    }
    out.push_back(std::move(e));
  }
}

// A certificate's movement arrived: where, when, the head counted against the certificate's.
// Certificates consumed before arrivals were recorded (no holding, not counted) have their use
// entry only.
void Arrivals(const TimelineContext& ctx, std::vector<TimelineEntry>& out) {
  for (const std::shared_ptr<const Certificate>& shown : ctx.shown_certificates) {
    const Certificate& c = *shown;
    if (!c.arrival || (!c.arrival->holding_id && !c.arrival->head_counted)) continue;
    TimelineEntry e = AtTime(TimelineKind::kArrival, c.arrival->at, ctx);
    e.holding = HoldingOf(ctx, c.arrival->holding_id);
    e.arrival = c.arrival;
    e.certificate = shown;
    e.by = c.consumed_by_name;
    out.push_back(std::move(e));
  }
}

void OwnershipChanges(const TimelineContext& ctx, std::vector<TimelineEntry>& out) {
  for (const OwnershipChange& c : ctx.data.changes) {
    TimelineEntry e;
    e.kind = TimelineKind::kOwnershipChange;
    e.on = c.on;
    TimelineOwnership o;
    o.from = ShowAnyOwner(ctx, c.from_owner_id);
    o.to = ShowAnyOwner(ctx, c.to_owner_id);
    o.head = c.tag ? 1 : c.head;
    o.certificate_id = c.certificate_id;
    if (const Certificate* cert = CertificateOf(ctx, c.certificate_id)) {
      o.certificate_number = cert->number;
    }
    o.transfer_id = c.transfer_id;
    o.recorded_at = c.recorded_at;
    e.ownership = std::move(o);
    e.by = RecorderName(ctx, c.recorded_by);
    out.push_back(std::move(e));
  }
}

void LifeEvents(const TimelineContext& ctx, std::vector<TimelineEntry>& out) {
  for (const AnimalEvent& event : ctx.data.events) {
    TimelineEntry e;
    e.kind = TimelineKind::kLifeEvent;
    e.on = event.on;
    e.event = event;
    e.by = RecorderName(ctx, event.recorded_by);
    out.push_back(std::move(e));
  }
}

void Vaccinations(const TimelineContext& ctx, std::vector<TimelineEntry>& out) {
  for (const Vaccination& v : ctx.data.vaccinations) {
    TimelineEntry e;
    e.kind = TimelineKind::kVaccination;
    e.on = v.administered_on;
    e.vaccination = v;
    if (!ctx.owner_in_full) {  // where the owner's animals are, to the metre, is the owner's
      e.vaccination->lat.reset();
      e.vaccination->lon.reset();
    }
    e.holding = HoldingOf(ctx, v.holding_id);
    e.by = RecorderName(ctx, v.recorded_by);
    out.push_back(std::move(e));
  }
  // Given under an earlier owner (W8): the earlier owner's masked name only, never GPS.
  for (const EarlierDose& dose : ctx.data.earlier_vaccinations) {
    TimelineEntry e;
    e.kind = TimelineKind::kVaccination;
    e.on = dose.vaccination.administered_on;
    e.vaccination = dose.vaccination;
    e.vaccination->lat.reset();
    e.vaccination->lon.reset();
    e.previous_owner_masked = dose.previous_owner_masked;
    e.holding = HoldingOf(ctx, dose.vaccination.holding_id);
    e.by = RecorderName(ctx, dose.vaccination.recorded_by);
    out.push_back(std::move(e));
  }
}

void Certificates(const TimelineContext& ctx, std::vector<TimelineEntry>& out) {
  for (const std::shared_ptr<const Certificate>& shown : ctx.shown_certificates) {
    const Certificate& c = *shown;
    TimelineEntry issued = AtTime(TimelineKind::kCertificate, c.issued_at, ctx);
    issued.certificate = shown;
    issued.by = c.vet_name;
    if (c.consumed_at) {
      TimelineEntry used = AtTime(TimelineKind::kCertificateUsed, *c.consumed_at, ctx);
      used.certificate = issued.certificate;
      used.by = c.consumed_by_name;
      out.push_back(std::move(used));
    }
    out.push_back(std::move(issued));
  }
}

using Source = void (*)(const TimelineContext&, std::vector<TimelineEntry>&);
constexpr Source kSources[] = {Registration, LifeEvents, Vaccinations, Certificates,
                               Holdings,     Passages,   Arrivals,     OwnershipChanges};

}  // namespace

Result<AnimalTimeline> HerdService::AnimalTimelineByTag(const Caller& caller,
                                                        const std::string& tag_text) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadTimeline));
  HP_ASSIGN_OR_RETURN(auto tag, ParseEarTag(tag_text, config_.ear_tag_schemes, "tag"));
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));
  auto animal = store_.FindAnimalByTag(tag.digits);
  if (!animal.ok() && animal.status().code() != StatusCode::kNotFound) return animal.status();
  return TimelineOf(caller, animal.ok() ? animal->id : 0, "tag:" + tag.digits,
                    "no animal with this ear tag");
}

Result<AnimalTimeline> HerdService::FlockTimeline(const Caller& caller, int64_t flock_id) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadTimeline));
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));
  return TimelineOf(caller, flock_id, "flock:" + std::to_string(flock_id), "no flock with this id");
}

Result<AnimalTimeline> HerdService::TimelineOf(const Caller& caller, int64_t unit_id,
                                               const std::string& target,
                                               const std::string& not_found) {
  Result<AnimalTimelineData> data = NotFound(not_found);
  if (unit_id > 0) data = store_.LoadAnimalTimeline(unit_id);
  if (!data.ok() && data.status().code() != StatusCode::kNotFound) return data.status();
  // A flock's route names flocks only: a tagged animal is read by its tag.
  const bool found = data.ok() && (target.starts_with("tag:") != data->animal.is_flock());
  // The owner in full to a role that reads personal data, within its jurisdiction; elsewhere, and
  // to the other roles, the masked name.
  const bool in_full = found && Permit(caller, Operation::kReadOwner).ok() &&
                       (caller.system || InJurisdiction(caller.authority, data->owner.authority));
  // Audited before anything is shown, found or not, as W2; a read that cannot be audited shows
  // nothing.
  HP_RETURN_IF_ERROR(store_.AppendAudit(Audit(caller, "animal.timeline", target,
                                              found ? AuditDetail()
                                                          .Add("found", true)
                                                          .Add("owner_id", data->owner.id)
                                                          .Add("owner_masked", !in_full)
                                                          .Text()
                                                    : AuditDetail().Add("found", false).Text())));
  if (!found) return NotFound(not_found);

  TimelineContext ctx{*data,         config_.local_utc_offset,
                      in_full,       Permit(caller, Operation::kReadOwner).ok(),
                      caller.system, caller.authority};
  ctx.shown_certificates.reserve(data->certificates.size());
  for (const Certificate& c : data->certificates) {
    auto shown = std::make_shared<Certificate>(c);
    if (!in_full) shown->owner_phone_last4.clear();
    ctx.shown_certificates.push_back(std::move(shown));
  }
  AnimalTimeline out;
  // At most this many entries (the sources' loops above): room for all at once, since an entry is
  // large (about 2.8 KB) and a growing vector would move them each time it grows.
  out.entries.reserve(1 + data->events.size() + data->vaccinations.size() +
                      data->earlier_vaccinations.size() + 3 * data->certificates.size() +
                      data->stays.size() + data->passages.size() + data->changes.size());
  for (Source source : kSources) source(ctx, out.entries);
  SortTimeline(out.entries);
  out.owner = ShowOwner(data->owner, in_full);
  out.animal = std::move(data->animal);
  out.holdings = std::move(data->holdings);
  return out;
}

}  // namespace herdpass
