#include "store/due_list.h"

#include <algorithm>
#include <string_view>
#include <tuple>

namespace herdpass {

DueListBuilder::DueListBuilder(const DueQuery& query)
    : q_(query), book_(query.catalogue, query.disease, query.today) {}

void DueListBuilder::AddOwner(Owner owner) {
  const int64_t id = owner.id;
  owners_.emplace(id, std::move(owner));
}

void DueListBuilder::AddUnit(Animal unit) {
  // Today's due list is of the living: an ended animal or an empty flock needs no dose.
  if (!unit.alive() || owners_.count(unit.owner_id) == 0) return;
  book_.AddUnit(std::move(unit));
}

void DueListBuilder::AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
                             const std::string& disease, const std::string& vaccine,
                             int64_t head_count) {
  book_.AddDose(animal_ids, administered_on, disease, vaccine, head_count);
}

DueList DueListBuilder::Finish() {
  DueList out;
  out.today = q_.today;
  out.through = q_.today.AddDays(q_.days);
  std::unordered_map<int64_t, size_t> owner_slot;  // owner id -> index into out.owners
  for (size_t i = 0; i < book_.size(); ++i) {
    const Animal& unit = book_.unit(i);
    std::vector<const Disease*> diseases;
    for (const Disease* disease : q_.catalogue->DiseasesFor(unit.species)) {
      if (q_.disease.empty() || disease->code == q_.disease) diseases.push_back(disease);
    }
    for (DiseaseCoverage& c : book_.Coverages(i, diseases)) {
      if (!DueBy(c, out.through)) continue;
      auto [slot, added] = owner_slot.emplace(unit.owner_id, out.owners.size());
      if (added) out.owners.push_back(DueOwner{owners_.at(unit.owner_id), {}});
      const std::optional<Date> lapses = LapsesOn(c);
      out.owners[slot->second].units.push_back(DueUnit{unit, std::move(c), lapses});
    }
  }
  // By village, those with none last: the printed list is walked village by village.
  const auto owner_key = [](const DueOwner& o) {
    return std::tuple<bool, std::string_view, std::string_view, std::string_view, int64_t>(
        o.owner.village.empty(), o.owner.village, o.owner.authority, o.owner.name, o.owner.id);
  };
  std::sort(out.owners.begin(), out.owners.end(),
            [&](const DueOwner& a, const DueOwner& b) { return owner_key(a) < owner_key(b); });
  if (out.owners.size() > q_.max_owners) {
    out.owners.resize(q_.max_owners);
    out.truncated = true;
  }
  // Tagged animals by tag, then flocks by species; a unit's diseases stay in catalogue order.
  const auto unit_key = [](const DueUnit& u) {
    return std::tuple<bool, std::string_view, std::string_view, int64_t>(
        u.unit.is_flock(), u.unit.tag ? std::string_view(*u.unit.tag) : std::string_view(),
        u.unit.species, u.unit.id);
  };
  for (DueOwner& o : out.owners) {
    std::stable_sort(o.units.begin(), o.units.end(),
                     [&](const DueUnit& a, const DueUnit& b) { return unit_key(a) < unit_key(b); });
  }
  return out;
}

}  // namespace herdpass
