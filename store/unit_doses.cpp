#include "store/unit_doses.h"

#include <algorithm>

namespace herdpass {

UnitDoseBook::UnitDoseBook(const Catalogue* catalogue, std::string disease, Date today)
    : catalogue_(catalogue), disease_(std::move(disease)), today_(today) {}

void UnitDoseBook::AddUnit(Animal unit) {
  index_.emplace(unit.id, units_.size());
  units_.push_back(std::move(unit));
  doses_.emplace_back();
}

uint32_t UnitDoseBook::KindOf(const std::string& disease, const std::string& vaccine) {
  auto [it, added] =
      kind_index_.emplace(std::make_pair(disease, vaccine), static_cast<uint32_t>(kinds_.size()));
  if (added) {
    Kind k{disease, vaccine, true};
    if (!disease_.empty() && disease != disease_) {
      const VaccineProduct* product = catalogue_->FindVaccine(vaccine);
      k.counts = product != nullptr && std::find(product->diseases.begin(), product->diseases.end(),
                                                 disease_) != product->diseases.end();
    }
    kinds_.push_back(std::move(k));
  }
  return it->second;
}

void UnitDoseBook::AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
                           const std::string& disease, const std::string& vaccine,
                           int64_t head_count) {
  if (administered_on > today_) return;
  const uint32_t kind = KindOf(disease, vaccine);
  if (!kinds_[kind].counts) return;
  for (int64_t id : animal_ids) {
    auto it = index_.find(id);
    if (it == index_.end()) continue;
    doses_[it->second].push_back(Dose{administered_on, static_cast<int32_t>(head_count), kind});
  }
}

std::vector<Vaccination> UnitDoseBook::RecordsOf(size_t i) const {
  std::vector<Vaccination> records;  // the unit's doses, as CoverageOf reads them
  records.reserve(doses_[i].size());
  for (const Dose& d : doses_[i]) {
    Vaccination v;
    v.animal_ids = {units_[i].id};
    v.administered_on = d.on;
    v.disease = kinds_[d.kind].disease;
    v.vaccine = kinds_[d.kind].vaccine;
    v.head_count = d.heads;
    records.push_back(std::move(v));
  }
  return records;
}

DiseaseCoverage UnitDoseBook::Coverage(size_t i, const Disease& disease) const {
  return CoverageOf(disease, units_[i], RecordsOf(i), today_, catalogue_);
}

std::vector<DiseaseCoverage> UnitDoseBook::Coverages(
    size_t i, const std::vector<const Disease*>& diseases) const {
  const std::vector<Vaccination> records = RecordsOf(i);
  std::vector<DiseaseCoverage> out;
  out.reserve(diseases.size());
  for (const Disease* d : diseases) {
    out.push_back(CoverageOf(*d, units_[i], records, today_, catalogue_));
  }
  return out;
}

}  // namespace herdpass
