// Movement rules (W3, DESIGN.md section 6): whether the animals of a certificate may move, and
// which vaccinations the certificate rests on. Pure functions of the rules, the catalogue, the
// animals, their vaccinations and the day of issue: no clock, no store. service/ loads the inputs,
// refuses the certificate with the failures (422), or writes the doses into it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "domain/catalogue.h"
#include "domain/certificate.h"
#include "domain/coverage.h"
#include "domain/model.h"
#include "domain/time.h"

namespace herdpass {

// One unmet movement rule for one animal or flock: the 422 answer of W3 lists them all.
struct RuleFailure {
  std::string rule;  // MovementRule::name
  std::string disease;
  std::string animal;        // the ear tag, or "flock:<species>"
  DiseaseCoverage coverage;  // why: never, overdue since, or dose too old
  std::string message;       // "<disease>: <why>", e.g. "PPR: never vaccinated"
  // Rule "zone" (domain/outbreak.h): the zone the origin is in, and which part of it.
  int64_t zone_id = 0;
  std::string ring;
};

// The movement a certificate is asked for.
struct Movement {
  Purpose purpose = Purpose::kSlaughter;
  MovementScope scope = MovementScope::kWithinProvince;
  std::string species;  // catalogue code, "sheep"
};

struct MovementAssessment {
  // Per applying rule (in the order of the rules), disease (in the rule's order) and unit (in the
  // order given): each one not covered on the day, or covered by a dose older than the rule's
  // max_age_days. Empty when the movement may go ahead.
  std::vector<RuleFailure> failures;
  // When no failure: the doses the certificate rests on. For each disease the applying rules name
  // (every disease of the species in the catalogue when no rule applies), in that order, and each
  // unit covered against it that day: the latest dose protecting it, each (record, disease) once.
  std::vector<CertificateVaccination> rests_on;
};

// A rule applies to a movement when its purpose is the movement's, its scope is empty or the
// movement's, and its species list is empty or names the movement's species. A disease of a rule
// that the catalogue does not know, or that does not apply to the species (PPR for cattle), is
// skipped. `units` are the tagged animals and the flock, all of movement.species. REQUIRES: every
// pointer in `units` is non-null.
MovementAssessment AssessMovement(std::span<const MovementRule> rules, const Catalogue& catalogue,
                                  const Movement& movement, std::span<const Animal* const> units,
                                  const std::vector<Vaccination>& vaccinations, Date today);

}  // namespace herdpass
