#include "domain/movement_rules.h"

#include <algorithm>
#include <set>
#include <utility>

namespace herdpass {
namespace {

bool Names(const Vaccination& v, int64_t animal_id) {
  return std::find(v.animal_ids.begin(), v.animal_ids.end(), animal_id) != v.animal_ids.end();
}

// As domain/coverage.cpp counts a dose: for the disease itself, or by a product that covers it.
bool Protects(const Vaccination& v, const Disease& d, const Catalogue& catalogue) {
  if (v.disease == d.code) return true;
  const VaccineProduct* p = catalogue.FindVaccine(v.vaccine);
  return p != nullptr &&
         std::find(p->diseases.begin(), p->diseases.end(), d.code) != p->diseases.end();
}

// The latest non-voided dose of `unit` against `d` given on or before `today`.
const Vaccination* LatestDose(const Animal& unit, const Disease& d,
                              const std::vector<Vaccination>& vaccinations, Date today,
                              const Catalogue& catalogue) {
  const Vaccination* best = nullptr;
  for (const Vaccination& v : vaccinations) {
    if (v.voided || v.administered_on > today || !Names(v, unit.id) || !Protects(v, d, catalogue))
      continue;
    if (best == nullptr || v.administered_on > best->administered_on) best = &v;
  }
  return best;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool RuleApplies(const MovementRule& rule, const Movement& m) {
  return rule.purpose == m.purpose && (!rule.scope || *rule.scope == m.scope) &&
         (rule.species.empty() || Contains(rule.species, m.species));
}

std::string UnitName(const Animal& unit) { return unit.tag ? *unit.tag : "flock:" + unit.species; }

// Why `cov` does not meet `rule` on `today`; empty when it does.
std::string WhyUnmet(const MovementRule& rule, const Disease& d, const DiseaseCoverage& cov,
                     Date today) {
  if (cov.state == CoverageState::kNever) return "never vaccinated";
  if (cov.state == CoverageState::kOverdue) {
    return cov.overdue_since
               ? "covered until " + cov.overdue_since->AddDays(-1).ToString() + ", lapsed"
               : "the doses given never reached the whole flock";
  }
  if (rule.max_age_days > 0 && cov.covered_until) {
    // The dose the protection rests on: for a flock, the oldest of those that reach its size.
    const Date dose = cov.covered_until->AddDays(1 - d.immunity_days);
    if (dose < today.AddDays(-rule.max_age_days)) {
      return "last dose on " + dose.ToString() + ", more than " +
             std::to_string(rule.max_age_days) + " days before " + today.ToString();
    }
  }
  return {};
}

}  // namespace

MovementAssessment AssessMovement(std::span<const MovementRule> rules, const Catalogue& catalogue,
                                  const Movement& movement, std::span<const Animal* const> units,
                                  const std::vector<Vaccination>& vaccinations, Date today) {
  MovementAssessment out;
  std::vector<const Disease*> required;  // diseases of the applying rules, in order, once each
  bool any_rule = false;
  for (const MovementRule& rule : rules) {
    if (!RuleApplies(rule, movement)) continue;
    any_rule = true;
    for (const std::string& code : rule.diseases) {
      const Disease* d = catalogue.FindDisease(code);
      if (d == nullptr || !Contains(d->species, movement.species)) continue;
      if (std::find(required.begin(), required.end(), d) == required.end()) required.push_back(d);
      for (const Animal* unit : units) {
        DiseaseCoverage cov = CoverageOf(*d, *unit, vaccinations, today, &catalogue);
        std::string why = WhyUnmet(rule, *d, cov, today);
        if (why.empty()) continue;
        RuleFailure failure;
        failure.rule = rule.name;
        failure.disease = d->code;
        failure.animal = UnitName(*unit);
        failure.coverage = std::move(cov);
        failure.message = d->code + ": " + why;
        out.failures.push_back(std::move(failure));
      }
    }
  }
  if (!out.failures.empty()) return out;
  if (!any_rule) required = catalogue.DiseasesFor(movement.species);

  std::set<std::pair<std::string, std::string>> seen;  // (record id, disease)
  for (const Disease* d : required) {
    for (const Animal* unit : units) {
      if (CoverageOf(*d, *unit, vaccinations, today, &catalogue).state != CoverageState::kCovered) {
        continue;  // only when no rule asked for it
      }
      const Vaccination* v = LatestDose(*unit, *d, vaccinations, today, catalogue);
      if (v == nullptr || !seen.emplace(v->id, d->code).second) continue;
      out.rests_on.push_back({v->id, d->code, v->administered_on, v->batch_no});
    }
  }
  return out;
}

}  // namespace herdpass
