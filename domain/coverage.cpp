#include "domain/coverage.h"

#include <algorithm>

namespace herdpass {
namespace {

bool Names(const Vaccination& v, int64_t animal_id) {
  return std::find(v.animal_ids.begin(), v.animal_ids.end(), animal_id) != v.animal_ids.end();
}

template <typename T>
void KeepMin(std::optional<T>& acc, const std::optional<T>& x) {
  if (x && (!acc || *x < *acc)) acc = x;
}
template <typename T>
void KeepMax(std::optional<T>& acc, const std::optional<T>& x) {
  if (x && (!acc || *x > *acc)) acc = x;
}

}  // namespace

const char* CoverageStateName(CoverageState s) {
  switch (s) {
    case CoverageState::kCovered:
      return "covered";
    case CoverageState::kOverdue:
      return "overdue";
    case CoverageState::kNever:
      return "never";
  }
  return "unknown";
}

// Doses dated after `today` are not counted: coverage is asked "as of today", and a later date is
// either an entry mistake or a question about the past.
DiseaseCoverage CoverageOf(const Disease& disease, const Animal& unit,
                           const std::vector<Vaccination>& vaccinations, Date today,
                           const Catalogue* catalogue) {
  auto protects = [&](const Vaccination& v) {
    if (v.disease == disease.code) return true;
    if (catalogue == nullptr) return false;
    const VaccineProduct* product = catalogue->FindVaccine(v.vaccine);
    return product != nullptr && std::find(product->diseases.begin(), product->diseases.end(),
                                           disease.code) != product->diseases.end();
  };
  DiseaseCoverage c;
  c.disease = disease.code;
  std::vector<std::pair<Date, int64_t>> doses;  // (day, heads) of the doses that protect the unit
  for (const Vaccination& v : vaccinations) {
    // Cheapest tests first: this runs for every unit, disease and record of a W2 answer.
    if (v.voided || v.administered_on > today || !Names(v, unit.id) || !protects(v)) continue;
    doses.emplace_back(v.administered_on, v.head_count);
  }
  if (doses.empty()) return c;  // kNever
  std::sort(doses.begin(), doses.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  c.last_dose = doses.front().first;
  // An animal is protected by its last dose. A flock is protected while the doses given to it
  // cover its head count: its protection lasts as long as the oldest of the newest doses that
  // together reach the flock's size (a campaign may vaccinate a flock over several days).
  std::optional<Date> protected_from;
  if (!unit.is_flock()) {
    protected_from = doses.front().first;
  } else {
    int64_t heads = 0;
    for (const auto& [day, n] : doses) {
      heads += std::max<int64_t>(n, 0);
      if (heads >= unit.head_count) {
        protected_from = day;
        break;
      }
    }
  }
  if (!protected_from) {
    // Doses were given, but never to the whole flock: not covered, and no date it lapsed on.
    c.state = CoverageState::kOverdue;
    return c;
  }
  Date until = protected_from->AddDays(disease.immunity_days - 1);
  if (today <= until) {
    c.state = CoverageState::kCovered;
    c.covered_until = until;
  } else {
    c.state = CoverageState::kOverdue;
    c.overdue_since = until.AddDays(1);
  }
  return c;
}

std::optional<Date> LapsesOn(const DiseaseCoverage& c) {
  switch (c.state) {
    case CoverageState::kCovered:
      return c.covered_until ? std::optional<Date>(c.covered_until->AddDays(1)) : std::nullopt;
    case CoverageState::kOverdue:
      return c.overdue_since;
    case CoverageState::kNever:
      return std::nullopt;
  }
  return std::nullopt;
}

bool DueBy(const DiseaseCoverage& c, Date through) {
  if (c.state != CoverageState::kCovered) return true;
  const std::optional<Date> lapses = LapsesOn(c);
  return lapses && *lapses <= through;
}

OwnerCoverage ComputeOwnerCoverage(const Catalogue& catalogue, const std::vector<Animal>& animals,
                                   const std::vector<Vaccination>& vaccinations, Date today) {
  OwnerCoverage out;
  out.units.reserve(animals.size());
  for (const Animal& a : animals) {
    UnitCoverage u;
    u.animal_id = a.id;
    for (const Disease* d : catalogue.DiseasesFor(a.species)) {
      u.diseases.push_back(CoverageOf(*d, a, vaccinations, today, &catalogue));
    }
    out.units.push_back(std::move(u));
  }

  // Aggregate per disease, in catalogue order, over the units the disease applies to.
  for (const Disease& d : catalogue.diseases()) {
    bool relevant = false, any_dose = false, all_covered = true;
    DiseaseCoverage agg;
    agg.disease = d.code;
    for (size_t i = 0; i < out.units.size(); ++i) {
      // Today's coverage is of the living: an animal whose life ended, or a flock with no head
      // left, keeps its own coverage but is left out of the owner's.
      if (!animals[i].alive()) continue;
      const UnitCoverage& u = out.units[i];
      for (const DiseaseCoverage& c : u.diseases) {
        if (c.disease != d.code) continue;
        relevant = true;
        if (c.last_dose) any_dose = true;
        KeepMax(agg.last_dose, c.last_dose);
        if (c.state == CoverageState::kCovered) {
          KeepMin(agg.covered_until, c.covered_until);
        } else {
          all_covered = false;
          // A never-vaccinated unit has no lapse date, so it does not move overdue_since.
          KeepMin(agg.overdue_since, c.overdue_since);
        }
      }
    }
    if (!relevant) continue;
    if (!any_dose) {
      agg = DiseaseCoverage{d.code, CoverageState::kNever, {}, {}, {}};
    } else if (all_covered) {
      agg.state = CoverageState::kCovered;
      agg.overdue_since.reset();
    } else {
      agg.state = CoverageState::kOverdue;
      agg.covered_until.reset();
    }
    out.diseases.push_back(std::move(agg));
  }
  return out;
}

}  // namespace herdpass
