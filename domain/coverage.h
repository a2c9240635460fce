// Coverage: is an animal (or a flock, or an owner's whole stock) protected against a disease today?
//
// A dose given on day D protects through D + immunity_days - 1 (covered_until). Today within that
// is "covered"; after it, "overdue" since covered_until + 1; no dose ever (in the records
// considered) is "never". Voided records never count, nor do doses dated after `today` (coverage is
// "as of today"). A flock counts as covered only while the doses given to it reach its head count;
// doses that never reached it leave it "overdue" with no overdue_since. Pure functions of their
// inputs and `today`: no clock read here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/catalogue.h"
#include "domain/model.h"
#include "domain/time.h"

namespace herdpass {

enum class CoverageState { kCovered, kOverdue, kNever };
const char* CoverageStateName(CoverageState s);  // "covered", "overdue", "never"

struct DiseaseCoverage {
  std::string disease;
  CoverageState state = CoverageState::kNever;
  std::optional<Date> last_dose;      // latest non-voided dose, if any
  std::optional<Date> covered_until;  // set when covered
  std::optional<Date> overdue_since;  // set when overdue
};

// Coverage of one animal or flock against one disease, from the vaccinations that name it.
// With a catalogue, a dose also protects against every disease its vaccine product covers: a record
// of the bivalent FMD O+A vaccine entered under FMD-O covers FMD-A too.
DiseaseCoverage CoverageOf(const Disease& disease, const Animal& unit,
                           const std::vector<Vaccination>& vaccinations, Date today,
                           const Catalogue* catalogue = nullptr);

struct UnitCoverage {
  int64_t animal_id = 0;
  std::vector<DiseaseCoverage> diseases;  // every catalogue disease relevant to the unit's species
};

struct OwnerCoverage {
  std::vector<UnitCoverage> units;  // same order as the animals passed in
  // Per disease relevant to any of the owner's living animals (Animal::alive: ended animals and
  // flocks with no head left are not counted): covered when every relevant unit is covered
  // (covered_until = the earliest of theirs); never when no relevant unit ever had a dose;
  // otherwise overdue (overdue_since = the earliest lapse among units that are not covered; unset
  // when the only uncovered units never had a dose). last_dose is the latest dose of any relevant
  // unit.
  std::vector<DiseaseCoverage> diseases;
};

// The first day `c` no longer protects: the day after covered_until when covered, overdue_since
// when overdue (unset when the doses never reached a whole flock), unset when never vaccinated.
std::optional<Date> LapsesOn(const DiseaseCoverage& c);
// Due for a dose by `through` (W15's due lists, the reminders): not covered today, or covered only
// until a day before `through`, so that on `through` it is no longer protected.
bool DueBy(const DiseaseCoverage& c, Date through);

OwnerCoverage ComputeOwnerCoverage(const Catalogue& catalogue, const std::vector<Animal>& animals,
                                   const std::vector<Vaccination>& vaccinations, Date today);

}  // namespace herdpass
