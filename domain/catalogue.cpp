#include "domain/catalogue.h"

#include <algorithm>

namespace herdpass {
namespace {

template <typename T>
const T* FindByCode(const std::vector<T>& items, std::string_view code) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.code == code; });
  return it == items.end() ? nullptr : &*it;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s.substr(0, 64)) + "\""; }

Catalogue BuildDefaultCatalogue() {
  std::vector<Species> species = {
      {"cattle", "Cattle", false},  {"sheep", "Sheep", false}, {"goat", "Goat", false},
      {"camel", "Camel", false},    {"horse", "Horse", false}, {"yak", "Yak", false},
      {"poultry", "Poultry", true}, {"pig", "Pig", false},
  };
  const std::vector<std::string> kFmdSpecies = {"cattle", "sheep", "goat", "camel", "yak", "pig"};
  std::vector<Disease> diseases = {
      {"FMD-O", "Foot-and-mouth disease, serotype O", 180, kFmdSpecies},
      {"FMD-A", "Foot-and-mouth disease, serotype A", 180, kFmdSpecies},
      {"FMD-ASIA1", "Foot-and-mouth disease, serotype Asia1", 180, kFmdSpecies},
      {"PPR", "Peste des petits ruminants", 1095, {"sheep", "goat"}},
      {"BRUCELLOSIS", "Brucellosis", 365, {"cattle", "sheep", "goat", "camel", "yak"}},
      {"ANTHRAX", "Anthrax", 365, {"cattle", "sheep", "goat", "camel", "horse", "yak"}},
      {"SGP", "Sheep pox and goat pox", 365, {"sheep", "goat"}},
      {"LSD", "Lumpy skin disease", 365, {"cattle", "yak"}},
      {"HPAI", "Highly pathogenic avian influenza", 180, {"poultry"}},
      {"ND", "Newcastle disease", 365, {"poultry"}},
      {"RABIES", "Rabies", 365, {"cattle", "camel", "horse"}},
      {"CCPP", "Contagious caprine pleuropneumonia", 365, {"goat"}},
      {"ECHINO", "Echinococcosis (hydatid disease)", 365, {"sheep", "goat"}},
  };
  // W14: incubation periods (WOAH Terrestrial Code: FMD 14 days, sheep and goat pox 21, PPR 21,
  // anthrax 20, HPAI 21), set apart from the list above to keep its rows short.
  const std::vector<std::pair<std::string, int>> kIncubation = {
      {"FMD-O", 14}, {"FMD-A", 14},   {"FMD-ASIA1", 14}, {"SGP", 21},
      {"PPR", 21},   {"ANTHRAX", 20}, {"HPAI", 21},
  };
  for (auto& d : diseases) {
    for (const auto& [code, days] : kIncubation) {
      if (d.code == code) d.incubation_days = days;
    }
  }
  // Makers are representative of the region's state producers, not an endorsement or a registry.
  const std::string kCahi = "China Animal Husbandry Industry";
  const std::string kHarbin = "Harbin Veterinary Research Institute";
  const std::string kNiipbb = "Kazakh NIIPBB (Research Institute for Biological Safety Problems)";
  const std::string kArriah = "ARRIAH Federal Centre for Animal Health";
  const std::string kKyrgyz = "Kyrgyz Biokombinat";
  std::vector<VaccineProduct> vaccines = {
      {"FMD-OA-INACT",
       "Foot-and-mouth disease bivalent inactivated vaccine (O + A)",
       kCahi,
       {"FMD-O", "FMD-A"}},
      {"FMD-OAASIA1-INACT",
       "Foot-and-mouth disease trivalent inactivated vaccine (O + A + Asia1)",
       kArriah,
       {"FMD-O", "FMD-A", "FMD-ASIA1"}},
      {"FMD-O-INACT", "Foot-and-mouth disease type O inactivated vaccine", kNiipbb, {"FMD-O"}},
      {"PPR-LIVE",
       "Peste des petits ruminants live attenuated vaccine (Nigeria 75/1 strain)",
       kNiipbb,
       {"PPR"}},
      {"PPR-LIVE-C9", "Peste des petits ruminants live vaccine (Clone 9 strain)", kCahi, {"PPR"}},
      {"BRU-S2", "Brucellosis live vaccine (Brucella suis S2 strain)", kCahi, {"BRUCELLOSIS"}},
      {"BRU-REV1",
       "Brucellosis live vaccine (Brucella melitensis Rev.1 strain)",
       kNiipbb,
       {"BRUCELLOSIS"}},
      {"BRU-A19",
       "Brucellosis live vaccine (Brucella abortus 19 strain)",
       kArriah,
       {"BRUCELLOSIS"}},
      {"ANTHRAX-SPORE", "Anthrax live spore vaccine (Sterne 34F2 strain)", kNiipbb, {"ANTHRAX"}},
      {"ANTHRAX-II", "Anthrax No. II spore vaccine", kCahi, {"ANTHRAX"}},
      {"SGP-GOATPOX-LIVE", "Goat pox live vaccine (AV41 strain)", kCahi, {"SGP"}},
      {"SGP-SHEEPPOX-LIVE", "Sheep pox live vaccine", kKyrgyz, {"SGP"}},
      {"LSD-NEETHLING", "Lumpy skin disease live vaccine (Neethling strain)", kNiipbb, {"LSD"}},
      {"LSD-KSGP",
       "Lumpy skin disease live vaccine (Kenyan sheep and goat pox O-180 strain)",
       kArriah,
       {"LSD"}},
      {"HPAI-H5H7-INACT",
       "Avian influenza H5 + H7 inactivated vaccine (Re-13, Re-14, H7-Re4)",
       kHarbin,
       {"HPAI"}},
      {"HPAI-H5-INACT", "Avian influenza H5 inactivated vaccine", kArriah, {"HPAI"}},
      {"ND-LASOTA", "Newcastle disease live vaccine (La Sota strain)", kHarbin, {"ND"}},
      {"ND-INACT", "Newcastle disease inactivated oil-emulsion vaccine", kKyrgyz, {"ND"}},
      {"RABIES-INACT", "Rabies inactivated vaccine for animals", kArriah, {"RABIES"}},
      {"RABIES-INACT-CN", "Rabies inactivated vaccine (Flury LEP strain)", kCahi, {"RABIES"}},
      {"CCPP-INACT", "Contagious caprine pleuropneumonia inactivated vaccine", kCahi, {"CCPP"}},
      {"ECHINO-EG95",
       "Echinococcus granulosus EG95 recombinant subunit vaccine",
       kCahi,
       {"ECHINO"}},
  };
  return Catalogue(std::move(species), std::move(diseases), std::move(vaccines));
}

}  // namespace

Catalogue::Catalogue(std::vector<Species> species, std::vector<Disease> diseases,
                     std::vector<VaccineProduct> vaccines)
    : species_(std::move(species)),
      diseases_(std::move(diseases)),
      vaccines_(std::move(vaccines)) {}

const Species* Catalogue::FindSpecies(std::string_view code) const {
  return FindByCode(species_, code);
}
const Disease* Catalogue::FindDisease(std::string_view code) const {
  return FindByCode(diseases_, code);
}
const VaccineProduct* Catalogue::FindVaccine(std::string_view code) const {
  return FindByCode(vaccines_, code);
}

std::vector<const Disease*> Catalogue::DiseasesFor(std::string_view species) const {
  std::vector<const Disease*> out;
  for (const Disease& d : diseases_) {
    if (Contains(d.species, species)) out.push_back(&d);
  }
  return out;
}

Status Catalogue::CheckVaccination(std::string_view disease, std::string_view vaccine,
                                   std::string_view species) const {
  if (!FindSpecies(species))
    return InvalidArgument("species", "unknown species " + Quoted(species));
  const Disease* d = FindDisease(disease);
  if (!d) return InvalidArgument("disease", "unknown disease " + Quoted(disease));
  const VaccineProduct* v = FindVaccine(vaccine);
  if (!v) return InvalidArgument("vaccine", "unknown vaccine product " + Quoted(vaccine));
  if (!Contains(d->species, species)) {
    return InvalidArgument("disease",
                           d->code + " is not vaccinated against in " + std::string(species));
  }
  if (!Contains(v->diseases, disease)) {
    return InvalidArgument("vaccine", v->code + " does not protect against " + d->code);
  }
  return Status::Ok();
}

const Catalogue& DefaultCatalogue() {
  static const Catalogue kDefault = BuildDefaultCatalogue();
  return kDefault;
}

}  // namespace herdpass
