#include "service/service.h"

#include <sodium.h>

#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "domain/audit_detail.h"
#include "service/cert_state.h"
#include "service/throttle.h"

namespace herdpass {

HerdService::HerdService(Store& store, const Clock& clock, const Catalogue& catalogue,
                         ServiceConfig config, const RandomSource& random)
    : store_(store),
      clock_(clock),
      random_(random),
      catalogue_(catalogue),
      config_(std::move(config)),
      phones_(config_.default_region),
      throttle_(std::make_unique<Throttle>()),
      certs_(std::make_unique<CertState>()) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot work without its RNG: nothing can run
  if (config_.country.empty()) config_.country = config_.default_region;
}

HerdService::~HerdService() = default;

Caller HerdService::SystemCaller() {
  Caller c;
  c.username = "system";
  c.role = Role::kAdmin;
  c.system = true;
  return c;
}

AuditEntry HerdService::Audit(const Caller& caller, std::string action, std::string target,
                              std::string detail) const {
  AuditEntry e;
  e.at = clock_.Now();
  e.user_id = caller.user_id;
  e.username = caller.username;
  e.action = std::move(action);
  e.target = std::move(target);
  e.detail = std::move(detail);
  e.address = caller.address;
  e.authority = caller.authority;
  return e;
}

AuditEntry HerdService::AuditFor(const Caller& caller, const std::string& authority,
                                 std::string action, std::string target, std::string detail) const {
  AuditEntry e = Audit(caller, std::move(action), std::move(target), std::move(detail));
  if (caller.system) e.authority = authority;
  return e;
}

Status HerdService::CheckOwnCountry(const std::string& authority, const std::string& field) const {
  if (CountryOf(authority) == config_.country) return Status::Ok();
  return InvalidArgument(field, "the authority " + authority + " is not of " + config_.country +
                                    ", this node's country: a node keeps users, authorities and "
                                    "signing keys of its own country only, and its root key "
                                    "vouches for no other country's keys");
}

Status HerdService::CheckLookupRate(const Caller& caller) {
  if (config_.lookups_per_minute <= 0 || caller.system) return Status::Ok();
  if (!throttle_->AllowLookup(caller.user_id, clock_.Now(), config_.lookups_per_minute)) {
    return ResourceExhausted("too many phone lookups; wait a minute and try again");
  }
  return Status::Ok();
}

Result<std::vector<AuditRow>> HerdService::ListAudit(const Caller& caller,
                                                     const AuditQuery& query) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadAudit));
  if (query.limit < 1 || query.limit > 1000) {
    return InvalidArgument("limit", "limit must be between 1 and 1000");
  }
  AuditQuery q = query;
  q.scope = caller.authority;  // an auditor sees the actions of their own subtree only
  q.all_authorities = caller.system;
  HP_ASSIGN_OR_RETURN(auto rows, store_.ListAudit(q));
  // The log names people and numbers: reading it is itself audited.
  HP_RETURN_IF_ERROR(store_.AppendAudit(Audit(caller, "audit.read",
                                              "audit:after=" + std::to_string(query.after_seq),
                                              AuditDetail().Add("rows", rows.size()).Text())));
  return rows;
}

}  // namespace herdpass
