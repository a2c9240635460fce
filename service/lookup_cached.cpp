// W2 through the answer cache (service/lookup_cache.h): the wrapper around Lookup and the
// answer's encoding.
#include <future>
#include <string>

#include "domain/audit_detail.h"
#include "service/service.h"

namespace herdpass {

AuditEntry HerdService::LookupAudit(const Caller& caller, const std::string& e164,
                                    std::optional<int64_t> owner_id) {
  return Audit(caller, "lookup.phone", "phone:" + e164,
               owner_id ? AuditDetail().Add("found", true).Add("owner_id", *owner_id).Text()
                        : AuditDetail().Add("found", false).Text());
}

Result<std::shared_ptr<const EncodedLookup>> HerdService::LookupEncoded(
    const Caller& caller, const std::string& phone, std::optional<int> years,
    const LookupEncoder& encode) {
  std::promise<Result<std::shared_ptr<const EncodedLookup>>> answered;
  auto answer = answered.get_future();
  LookupEncodedThen(caller, phone, years, encode,
                    [&answered](Result<std::shared_ptr<const EncodedLookup>> r) {
                      answered.set_value(std::move(r));
                    });
  return answer.get();
}

void HerdService::LookupEncodedThen(const Caller& caller, const std::string& phone,
                                    std::optional<int> years, const LookupEncoder& encode,
                                    LookupDone done) {
  // Lookup answers, as it always does, whatever the cache cannot: a forbidden role, bad input,
  // no owner, an owner outside the caller's jurisdiction.
  auto uncached = [&]() -> Result<std::shared_ptr<const EncodedLookup>> {
    HP_ASSIGN_OR_RETURN(const LookupResult r, Lookup(caller, phone, years));
    return std::make_shared<const EncodedLookup>(encode(r, false));
  };
  const int y = years.value_or(config_.lookup_years_default);
  if (lookup_cache_.max_bytes() == 0 || !Permit(caller, Operation::kLookup).ok() || y < 1 ||
      y > config_.lookup_years_max) {
    return done(uncached());
  }
  auto e164 = phones_.ToE164(phone, "phone");
  if (!e164.ok()) return done(uncached());
  auto stamp = store_.FindOwnerRevisionByPhone(*e164);
  if (!stamp.ok() && stamp.status().code() != StatusCode::kNotFound) return done(stamp.status());
  if (!stamp.ok() || !(caller.system || InJurisdiction(caller.authority, stamp->authority))) {
    return done(uncached());
  }
  const Date today = clock_.Today();
  // What the answer depends on: the owner as of its revision, the day, the window, and (so that
  // no caller is handed an answer made for another) the caller's authority and role.
  const std::string key = std::to_string(stamp->owner_id) + '/' + std::to_string(stamp->revision) +
                          '/' + today.ToString() + '/' + std::to_string(y) + '/' +
                          caller.authority + '/' +
                          (caller.role ? std::to_string(static_cast<int>(*caller.role)) : "-") +
                          '/' + (caller.system ? "system" : "user");
  if (auto kept = lookup_cache_.Find(key)) {
    if (Status rate = CheckLookupRate(caller); !rate.ok()) return done(rate);
    // Audited before anything is shown, as Lookup does: `done` gets the answer only once the row
    // is committed, and no thread waits for that meanwhile.
    store_.AppendAuditThen(LookupAudit(caller, *e164, stamp->owner_id),
                           [kept = std::move(kept), done = std::move(done)](Status audited) {
                             if (!audited.ok()) return done(audited);
                             done(kept);
                           });
    return;
  }
  // The revision was read before Lookup reads the owner: a write committed in between raises it
  // past the key, so what is kept here is never found after that write.
  auto r = Lookup(caller, phone, years);
  if (!r.ok()) return done(r.status());
  const bool keep = r->owner.id == stamp->owner_id && r->today == today;
  auto answer = std::make_shared<const EncodedLookup>(encode(*r, keep));
  if (keep) lookup_cache_.Put(key, answer);
  done(std::move(answer));
}

}  // namespace herdpass
