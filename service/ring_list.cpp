// W14's ring list (issue 13 item 4): for a zone, the holdings inside each radius, the animals of
// the species it restricts kept there and each one's coverage for its disease: whom to vaccinate
// first. The list itself is the store's (store/store.h RingQuery, one snapshot); here: who may read
// it, whose personal fields it shows, and the audit.
#include <string>
#include <vector>

#include "domain/audit_detail.h"
#include "service/service.h"

namespace herdpass {

Result<RingAnswer> HerdService::ZoneRing(const Caller& caller, int64_t id) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadRingList));
  RingAnswer out;
  HP_ASSIGN_OR_RETURN(out.zone, ZoneFor(caller, id));
  if (catalogue_.FindDisease(out.zone.disease) == nullptr) {
    // A zone stored under a code the catalogue dropped since: no immunity period to judge by.
    return FailedPrecondition("the zone's disease " + out.zone.disease +
                              " is no longer in the catalogue");
  }
  RingQuery q;
  q.zone = out.zone;
  q.today = clock_.Today();
  q.catalogue = &catalogue_;
  HP_ASSIGN_OR_RETURN(out.list, store_.ListRing(q));

  // Names and phones only to the roles that read owners, within their jurisdiction (as Trace).
  const bool reads_owners = Permit(caller, Operation::kReadOwner).ok();
  std::vector<std::string> shown;
  for (const Owner& o : out.list.owners) {
    const bool full =
        reads_owners && (caller.system || InJurisdiction(caller.authority, o.authority));
    if (full) shown.push_back(std::to_string(o.id));
    out.owners.emplace(o.id, ShowOwner(o, full));
  }

  // Audited with the zone and what the list holds, before anything is answered.
  int64_t units = 0, head = 0, uncovered = 0;
  for (const RingHolding& h : out.list.holdings) {
    units += static_cast<int64_t>(h.units.size());
    head += h.head;
    uncovered += h.head_uncovered;
  }
  AuditDetail detail;
  detail.Add("zone", out.zone.id)
      .Add("disease", out.zone.disease)
      .Add("today", q.today.ToString())
      .Add("holdings", static_cast<int64_t>(out.list.holdings.size()))
      .Add("units", units)
      .Add("head", head)
      .Add("head_uncovered", uncovered);
  if (!shown.empty()) detail.Add("owners_read", shown);
  HP_RETURN_IF_ERROR(
      store_.AppendAudit(AuditFor(caller, out.zone.authority, "zone.ring",
                                  "zone:" + std::to_string(out.zone.id), detail.Text())));
  return out;
}

}  // namespace herdpass
