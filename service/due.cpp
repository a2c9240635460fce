// W15: due lists for vaccination campaigns. A bulk read of owners' names and phones: rate-limited
// as a phone lookup and audited per list.
#include <string>

#include "domain/audit_detail.h"
#include "domain/certificate.h"
#include "service/service.h"

namespace herdpass {

Result<DueAnswer> HerdService::ListDue(const Caller& caller, const DueRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadDueList));
  DueAnswer out;
  out.authority = request.authority.empty() ? caller.authority : request.authority;
  if (out.authority.empty()) return InvalidArgument("authority", "authority is required");
  HP_RETURN_IF_ERROR(ValidateAuthorityCode(out.authority, "authority"));
  if (!caller.system && !InJurisdiction(caller.authority, out.authority)) {
    return Status(StatusCode::kPermissionDenied,
                  "the authority " + out.authority + " is outside your jurisdiction", "authority");
  }
  if (!request.disease.empty() && catalogue_.FindDisease(request.disease) == nullptr) {
    return InvalidArgument("disease", "unknown disease \"" + request.disease.substr(0, 64) + "\"");
  }
  out.disease = request.disease;
  out.days = request.days.value_or(config_.due_days_default);
  if (out.days < 1 || out.days > config_.due_days_max) {
    return InvalidArgument("days",
                           "days must be from 1 to " + std::to_string(config_.due_days_max));
  }
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));

  DueQuery q;
  q.scope = out.authority;
  q.today = clock_.Today();
  q.days = out.days;
  q.disease = out.disease;
  q.catalogue = &catalogue_;
  q.max_owners = static_cast<size_t>(config_.due_max_owners);
  HP_ASSIGN_OR_RETURN(out.list, store_.ListDue(q));
  out.masked = !caller.system && caller.role == Role::kAdmin;
  int64_t units = 0;
  for (DueOwner& o : out.list.owners) {
    units += static_cast<int64_t>(o.units.size());
    if (out.masked) {
      o.owner.name = MaskName(o.owner.name);
      o.owner.phone.clear();
    }
  }
  // Audited before anything is shown; a list that cannot be audited shows nothing.
  AuditDetail detail;
  detail.Add("days", out.days)
      .Add("disease", out.disease)
      .Add("through", out.list.through.ToString())
      .Add("owners", out.list.owners.size())
      .Add("due", units)
      .Add("masked", out.masked);
  HP_RETURN_IF_ERROR(
      store_.AppendAudit(Audit(caller, "due.read", "authority:" + out.authority, detail.Text())));
  return out;
}

}  // namespace herdpass
