#include "store/coverage_tally.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace herdpass {
namespace {

int MonthNumber(Date d) {  // months since year 0
  std::chrono::year_month_day ymd(d.sys_days());
  return static_cast<int>(ymd.year()) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month())) -
         1;
}

std::string MonthText(int month_number) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", month_number / 12, month_number % 12 + 1);
  return buf;
}

// vaccinated / registered rounded to 4 decimals; 0 when nothing is registered.
double Ratio(int64_t vaccinated, int64_t registered) {
  if (registered == 0) return 0.0;
  return std::round(static_cast<double>(vaccinated) * 10000.0 / static_cast<double>(registered)) /
         10000.0;
}

}  // namespace

CoverageTally::CoverageTally(const CoverageQuery& query) : q_(query) {
  months_ = MonthNumber(q_.to) - MonthNumber(q_.from) + 1;
}

int CoverageTally::MonthIndex(Date d) const { return MonthNumber(d) - MonthNumber(q_.from); }

void CoverageTally::AddUnit(int64_t animal_id, const std::string& authority,
                            const std::string& species, int64_t head_count, bool flock,
                            Timestamp created_at) {
  auto [it, inserted] = group_index_.try_emplace({authority, species}, groups_.size());
  if (inserted) {
    Group g{authority, species, {}};
    const auto& diseases = q_.catalogue->diseases();
    for (size_t i = 0; i < diseases.size(); ++i) {
      if (!q_.disease.empty() && diseases[i].code != q_.disease) continue;
      if (std::find(diseases[i].species.begin(), diseases[i].species.end(), species) !=
          diseases[i].species.end()) {
        g.diseases.push_back(i);
      }
    }
    groups_.push_back(std::move(g));
  }
  units_[animal_id] =
      Unit{it->second, flock ? std::max<int64_t>(head_count, 0) : 1, flock, Date::Of(created_at)};
}

// The diseases (catalogue indices) a dose protects against: the one it was recorded under and
// every one its vaccine product covers.
const std::vector<size_t>& CoverageTally::DiseasesOfDose(const std::string& disease,
                                                         const std::string& vaccine) {
  auto [it, inserted] = dose_diseases_.try_emplace({disease, vaccine});
  if (inserted) {
    const auto& diseases = q_.catalogue->diseases();
    const VaccineProduct* product = q_.catalogue->FindVaccine(vaccine);
    for (size_t i = 0; i < diseases.size(); ++i) {
      const std::string& code = diseases[i].code;
      if (code == disease ||
          (product != nullptr && std::find(product->diseases.begin(), product->diseases.end(),
                                           code) != product->diseases.end())) {
        it->second.push_back(i);
      }
    }
  }
  return it->second;
}

void CoverageTally::AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
                            const std::string& disease, const std::string& vaccine,
                            int64_t head_count) {
  if (administered_on > q_.to) return;
  const int month = MonthIndex(administered_on);
  for (int64_t id : animal_ids) {
    auto unit = units_.find(id);
    if (unit == units_.end()) continue;
    Unit& u = unit->second;
    u.registered = std::min(u.registered, administered_on);
    if (month < 0) continue;
    const Group& g = groups_[u.group];
    for (size_t d : DiseasesOfDose(disease, vaccine)) {
      if (std::find(g.diseases.begin(), g.diseases.end(), d) == g.diseases.end()) continue;
      int64_t& heads = vaccinated_[{id, d, month}];
      heads = u.flock ? heads + std::max<int64_t>(head_count, 0) : 1;
      int64_t& period = vaccinated_period_[{id, d}];
      period = u.flock ? period + std::max<int64_t>(head_count, 0) : 1;
    }
  }
}

CoverageReport CoverageTally::Finish() {
  const size_t months = static_cast<size_t>(std::max(months_, 0));
  // registered[group][month]: a unit counts from its registration month on.
  std::vector<std::vector<int64_t>> registered(groups_.size(), std::vector<int64_t>(months, 0));
  for (const auto& [id, u] : units_) {
    const int first = std::max(MonthIndex(u.registered), 0);
    for (size_t m = static_cast<size_t>(first); m < months; ++m) registered[u.group][m] += u.heads;
  }
  // vaccinated[(group, disease)][month], each unit's heads at most its size.
  std::map<std::pair<size_t, size_t>, std::vector<int64_t>> vaccinated;
  for (const auto& [key, heads] : vaccinated_) {
    const auto& [id, disease, month] = key;
    const Unit& u = units_.at(id);
    auto& row = vaccinated[{u.group, disease}];
    if (row.empty()) row.assign(months, 0);
    row[static_cast<size_t>(month)] += std::min(heads, u.heads);
  }

  // Over the whole period: each unit present by its end once, each unit's heads vaccinated at
  // most its size, whatever the months.
  std::vector<int64_t> registered_period(groups_.size(), 0);
  for (const auto& [id, u] : units_) {
    if (u.registered <= q_.to) registered_period[u.group] += u.heads;
  }
  std::map<std::pair<size_t, size_t>, int64_t> vaccinated_period;
  for (const auto& [key, heads] : vaccinated_period_) {
    const auto& [id, disease] = key;
    const Unit& u = units_.at(id);
    vaccinated_period[{u.group, disease}] += std::min(heads, u.heads);
  }

  CoverageReport out;
  const auto& diseases = q_.catalogue->diseases();
  for (size_t g = 0; g < groups_.size(); ++g) {
    for (size_t d : groups_[g].diseases) {
      auto v = vaccinated_period.find({g, d});
      CoverageRow row;
      row.vaccinated_head = v == vaccinated_period.end() ? 0 : v->second;
      row.registered_head = registered_period[g];
      if (row.vaccinated_head == 0 && row.registered_head == 0) continue;
      row.authority = groups_[g].authority;
      row.disease = diseases[d].code;
      row.species = groups_[g].species;
      row.coverage = Ratio(row.vaccinated_head, row.registered_head);
      out.totals.push_back(std::move(row));
    }
  }
  const int first_month = MonthNumber(q_.from);
  for (size_t g = 0; g < groups_.size(); ++g) {
    for (size_t d : groups_[g].diseases) {
      auto v = vaccinated.find({g, d});
      for (size_t m = 0; m < months; ++m) {
        CoverageRow row;
        row.vaccinated_head = v == vaccinated.end() ? 0 : v->second[m];
        row.registered_head = registered[g][m];
        if (row.vaccinated_head == 0 && row.registered_head == 0) continue;
        row.authority = groups_[g].authority;
        row.disease = diseases[d].code;
        row.species = groups_[g].species;
        row.month = MonthText(first_month + static_cast<int>(m));
        row.coverage = Ratio(row.vaccinated_head, row.registered_head);
        out.rows.push_back(std::move(row));
      }
    }
  }
  const auto order = [](const CoverageRow& a, const CoverageRow& b) {
    return std::tie(a.authority, a.disease, a.species, a.month) <
           std::tie(b.authority, b.disease, b.species, b.month);
  };
  std::sort(out.rows.begin(), out.rows.end(), order);
  std::sort(out.totals.begin(), out.totals.end(), order);
  for (auto* list : {&out.rows, &out.totals}) {
    if (list->size() > q_.max_rows) {
      list->resize(q_.max_rows);
      out.truncated = true;
    }
  }
  return out;
}

}  // namespace herdpass
