// Work in progress: implementation follows shortly.
#include "domain/catalogue.h"

namespace herdpass {

Catalogue::Catalogue(std::vector<Species> species, std::vector<Disease> diseases,
                     std::vector<VaccineProduct> vaccines)
    : species_(std::move(species)),
      diseases_(std::move(diseases)),
      vaccines_(std::move(vaccines)) {}
const Species* Catalogue::FindSpecies(std::string_view) const { return nullptr; }
const Disease* Catalogue::FindDisease(std::string_view) const { return nullptr; }
const VaccineProduct* Catalogue::FindVaccine(std::string_view) const { return nullptr; }
std::vector<const Disease*> Catalogue::DiseasesFor(std::string_view) const { return {}; }
Status Catalogue::CheckVaccination(std::string_view, std::string_view, std::string_view) const {
  return Internal("not implemented yet");
}
const Catalogue& DefaultCatalogue() {
  static const Catalogue kC;
  return kC;
}

}  // namespace herdpass
