// W2: the phone-number check at slaughter.
#include <algorithm>

#include "domain/audit_detail.h"
#include "service/service.h"

namespace herdpass {

Date HerdService::CoverageLoadSince(Date since, Date today) const {
  // Coverage needs every dose that can still protect today (PPR's lasts three years), even when
  // the window asked for is shorter; only the window's records are shown.
  Date load_since = since;
  for (const Disease& d : catalogue_.diseases()) {
    load_since = std::min(load_since, today.AddDays(-d.immunity_days));
  }
  return load_since;
}

OwnerCoverage HerdService::HistoryCoverage(const OwnerHistory& history, Date today) const {
  // W8: the doses bought animals had under earlier owners protect them still.
  std::vector<Vaccination> doses = history.vaccinations;
  for (const EarlierDose& e : history.earlier_vaccinations) doses.push_back(e.vaccination);
  return ComputeOwnerCoverage(catalogue_, history.animals, doses, today);
}

Result<HerdService::OwnerHistoryCoverage> HerdService::LoadOwnerCoverage(const std::string& e164,
                                                                         Date today, Date since) {
  // The owner and its history in one read.
  HP_ASSIGN_OR_RETURN(OwnerHistory history,
                      store_.LoadOwnerHistoryByPhone(e164, CoverageLoadSince(since, today)));
  OwnerCoverage coverage = HistoryCoverage(history, today);
  return OwnerHistoryCoverage{std::move(history), std::move(coverage)};
}

Result<LookupResult> HerdService::Lookup(const Caller& caller, const std::string& phone,
                                         std::optional<int> years) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kLookup));
  const int y = years.value_or(config_.lookup_years_default);
  if (y < 1 || y > config_.lookup_years_max) {
    return InvalidArgument("years",
                           "years must be from 1 to " + std::to_string(config_.lookup_years_max));
  }
  HP_ASSIGN_OR_RETURN(auto e164, phones_.ToE164(phone, "phone"));
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));

  LookupResult out;
  out.today = clock_.Today();
  out.since = out.today.AddYears(-y);
  auto history = LoadOwnerCoverage(e164, out.today, out.since);
  if (!history.ok() && history.status().code() != StatusCode::kNotFound) return history.status();
  const bool visible =
      history.ok() && (caller.system || InJurisdiction(caller.authority, history->owner.authority));
  if (visible) {
    out.owner = std::move(history->owner);
    out.animals = std::move(history->animals);
    out.coverage = std::move(history->coverage);
    out.vaccinations = std::move(history->vaccinations);
    out.holdings = std::move(history->holdings);
    std::erase_if(out.vaccinations,
                  [&](const Vaccination& v) { return v.administered_on < out.since; });
    out.earlier_vaccinations = std::move(history->earlier_vaccinations);
    std::erase_if(out.earlier_vaccinations,
                  [&](const EarlierDose& e) { return e.vaccination.administered_on < out.since; });
    out.sold = std::move(history->sold);
  }
  // Audited before anything is shown; a lookup that cannot be audited shows nothing.
  HP_RETURN_IF_ERROR(store_.AppendAudit(
      LookupAudit(caller, e164, visible ? std::optional<int64_t>(out.owner.id) : std::nullopt)));
  if (!visible) return NotFound("no owner with this phone number in your jurisdiction");
  return out;
}

}  // namespace herdpass
