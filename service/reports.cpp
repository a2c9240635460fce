// W11: oversight reports. Aggregates only: counts of heads per authority, with no owner named, so
// that reading them is not audited row by row (unlike W2 and the audit log, which show people).
#include <chrono>
#include <string_view>

#include "service/service.h"

namespace herdpass {
namespace {

// The longest window one report covers: ten years of months.
constexpr int kMaxMonths = 120;

// "YYYY-MM" with a month 01-12, as the first day of that month; kInvalidArgument naming `field`.
Result<Date> ParseMonth(std::string_view text, const char* field) {
  const auto bad = [&] {
    return InvalidArgument(field, std::string(field) + " must be a month written YYYY-MM");
  };
  if (text.size() != 7 || text[4] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (text[i] < '0' || text[i] > '9') return bad();
  }
  const int year =
      (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  const unsigned month = static_cast<unsigned>((text[5] - '0') * 10 + (text[6] - '0'));
  if (year < 1970 || month < 1 || month > 12) return bad();
  return Date(std::chrono::sys_days(std::chrono::year{year} / std::chrono::month{month} / 1));
}

Date FirstOfMonth(Date d) {
  std::chrono::year_month_day ymd(d.sys_days());
  return Date(std::chrono::sys_days(ymd.year() / ymd.month() / 1));
}

Date LastOfMonth(Date d) {
  std::chrono::year_month_day ymd(d.sys_days());
  return Date(std::chrono::sys_days(
      std::chrono::year_month_day_last(ymd.year(), std::chrono::month_day_last(ymd.month()))));
}

std::string MonthText(Date d) { return d.ToString().substr(0, 7); }

}  // namespace

Result<CoverageAnswer> HerdService::ReportCoverage(const Caller& caller,
                                                   const CoverageRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadReports));
  CoverageQuery q;
  q.catalogue = &catalogue_;
  q.scope = request.region.empty() ? caller.authority : request.region;
  if (q.scope.empty()) return InvalidArgument("region", "region is required");
  HP_RETURN_IF_ERROR(ValidateAuthorityCode(q.scope, "region"));
  if (!caller.system && !InJurisdiction(caller.authority, q.scope)) {
    return PermissionDenied("the region " + q.scope + " is outside your jurisdiction");
  }
  if (!request.disease.empty() && catalogue_.FindDisease(request.disease) == nullptr) {
    return InvalidArgument("disease", "unknown disease \"" + request.disease.substr(0, 64) + "\"");
  }
  if (!request.species.empty() && catalogue_.FindSpecies(request.species) == nullptr) {
    return InvalidArgument("species", "unknown species \"" + request.species.substr(0, 64) + "\"");
  }
  q.disease = request.disease;
  q.species = request.species;

  // The last 12 months including the current one, unless asked otherwise.
  Date to_month = FirstOfMonth(clock_.Today());
  if (!request.to.empty()) {
    HP_ASSIGN_OR_RETURN(auto to, ParseMonth(request.to, "to"));
    to_month = to;
  }
  Date from_month = to_month.AddMonths(-11);
  if (!request.from.empty()) {
    HP_ASSIGN_OR_RETURN(auto from, ParseMonth(request.from, "from"));
    from_month = from;
  }
  if (from_month > to_month) return InvalidArgument("from", "from must not be after to");
  if (from_month.AddMonths(kMaxMonths) <= to_month) {
    return InvalidArgument("from",
                           "a report covers at most " + std::to_string(kMaxMonths) + " months");
  }
  q.from = from_month;
  q.to = LastOfMonth(to_month);

  HP_ASSIGN_OR_RETURN(auto report, store_.ReportCoverage(q));
  return CoverageAnswer{q.scope, MonthText(from_month), MonthText(to_month), std::move(report)};
}

}  // namespace herdpass
