// Reference data: species, diseases with their immunity periods, and vaccine products.
//
// A default catalogue ships with the program (DefaultCatalogue()); an admin can extend it. Codes
// are stable ASCII identifiers used in the API and the database ("sheep", "FMD-O", ...). Immutable
// after construction, so safe to share across threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"

namespace herdpass {

struct Species {
  std::string code;         // "cattle", "sheep", "goat", "camel", "horse", "yak", "poultry", "pig"
  std::string name;         // English name
  bool flock_only = false;  // true for poultry: recorded by head count, never tagged one by one
};

struct Disease {
  std::string code;  // "FMD-O", "PPR", ...
  std::string name;
  int immunity_days = 365;           // a dose protects for this many days, counting its own day
  std::vector<std::string> species;  // species it is vaccinated against in
  // W14: the longest incubation period in days (WOAH Terrestrial Code), the window a trace looks
  // back and forward by default; 0 where HerdPass has none.
  int incubation_days = 0;
};

struct VaccineProduct {
  std::string code;  // "FMD-OA-INACT"
  std::string name;
  std::string maker;
  std::vector<std::string> diseases;  // disease codes it covers
};

class Catalogue {
 public:
  Catalogue() = default;
  Catalogue(std::vector<Species> species, std::vector<Disease> diseases,
            std::vector<VaccineProduct> vaccines);

  const std::vector<Species>& species() const { return species_; }
  const std::vector<Disease>& diseases() const { return diseases_; }
  const std::vector<VaccineProduct>& vaccines() const { return vaccines_; }

  const Species* FindSpecies(std::string_view code) const;
  const Disease* FindDisease(std::string_view code) const;
  const VaccineProduct* FindVaccine(std::string_view code) const;

  // Diseases relevant to a species (those listing it), in catalogue order.
  std::vector<const Disease*> DiseasesFor(std::string_view species) const;

  // Checks the (disease, vaccine, species) triple of a record: each must exist, the vaccine must
  // cover the disease and the disease must apply to the species. Errors name the offending field.
  Status CheckVaccination(std::string_view disease, std::string_view vaccine,
                          std::string_view species) const;

 private:
  std::vector<Species> species_;
  std::vector<Disease> diseases_;
  std::vector<VaccineProduct> vaccines_;
};

// The catalogue that ships with HerdPass: the species of DESIGN.md, the diseases of section 5 with
// their default immunity periods (FMD 6 months, HPAI 6 months, PPR 3 years, most others 1 year),
// and a few common vaccine products for each.
const Catalogue& DefaultCatalogue();

}  // namespace herdpass
