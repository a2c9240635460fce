// W12: an owner's flocks (GET /flocks?phone=). A flock has no ear tag: the phone that records its
// events (births, deaths, slaughter, ...) chooses it among its owner's flocks, found by the owner's
// phone. W2 (GET /lookup) is the inspector's and the vet's; this list is also the vaccinator's, who
// records the flocks' doses and events and reads owners (Operation::kReadOwner).
#include <algorithm>

#include "domain/audit_detail.h"
#include "service/service.h"

namespace herdpass {

Result<OwnerFlocks> HerdService::ListOwnerFlocks(const Caller& caller, const std::string& phone) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadOwner));
  if (phone.empty()) return InvalidArgument("phone", "phone is required");
  HP_ASSIGN_OR_RETURN(auto e164, phones_.ToE164(phone, "phone"));
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));
  // The owner and its animals in one snapshot. No dose is dated after tomorrow (W1): read from
  // the day after, the history's doses are none.
  auto history = store_.LoadOwnerHistoryByPhone(e164, clock_.Today().AddDays(2));
  const bool visible =
      history.ok() && (caller.system || InJurisdiction(caller.authority, history->owner.authority));
  // Audited found or not, as every read of an owner by phone: the question is personal.
  HP_RETURN_IF_ERROR(store_.AppendAudit(
      Audit(caller, "owner.flocks", "phone:" + e164, AuditDetail().Add("found", visible).Text())));
  if (!history.ok() && history.status().code() != StatusCode::kNotFound) return history.status();
  if (!visible) return NotFound("no owner with this phone number in your jurisdiction");
  OwnerFlocks out;
  out.owner = std::move(history->owner);
  for (Animal& a : history->animals) {
    if (a.is_flock()) out.flocks.push_back(std::move(a));
  }
  std::sort(out.flocks.begin(), out.flocks.end(),
            [](const Animal& a, const Animal& b) { return a.id < b.id; });
  for (Holding& h : history->holdings) {
    if (std::any_of(out.flocks.begin(), out.flocks.end(),
                    [&](const Animal& a) { return a.holding_id == h.id; })) {
      out.holdings.push_back(std::move(h));
    }
  }
  return out;
}

}  // namespace herdpass
