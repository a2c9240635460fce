#include "store/ring_list.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <tuple>

#include "domain/outbreak.h"

namespace herdpass {
namespace {

// Protection before surveillance; a zone of codes has one ring.
int RingRank(const std::string& ring) { return ring == "surveillance" ? 1 : 0; }

// Whom to vaccinate first on a holding: never vaccinated, then lapsed, then covered.
int CoverageRank(const DiseaseCoverage& c) {
  switch (c.state) {
    case CoverageState::kNever:
      return 0;
    case CoverageState::kOverdue:
      return 1;
    case CoverageState::kCovered:
      return 2;
  }
  return 0;
}

}  // namespace

RingListBuilder::RingListBuilder(const RingQuery& query)
    : q_(query),
      disease_(query.catalogue->FindDisease(query.zone.disease)),
      book_(query.catalogue, query.zone.disease, query.today) {}

void RingListBuilder::AddHolding(Holding holding) {
  if (holding.closed_on && *holding.closed_on < q_.today) return;
  std::string ring = ZoneRingOf(q_.zone, holding.authority, holding.lat, holding.lon);
  if (ring.empty() || holding_index_.count(holding.id) != 0) return;
  RingHolding h;
  if (q_.zone.by_radius()) {
    h.distance_m = static_cast<int64_t>(
        std::llround(DistanceMeters(q_.zone.lat, q_.zone.lon, holding.lat, holding.lon)));
  }
  h.ring = std::move(ring);
  h.holding = std::move(holding);
  holding_index_.emplace(h.holding.id, holdings_.size());
  holdings_.push_back(std::move(h));
}

std::vector<int64_t> RingListBuilder::HoldingIds() const {
  std::vector<int64_t> ids;
  ids.reserve(holdings_.size());
  for (const RingHolding& h : holdings_) ids.push_back(h.holding.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

void RingListBuilder::AddUnit(Animal unit) {
  if (!unit.alive() || !unit.holding_id || holding_index_.count(*unit.holding_id) == 0) return;
  if (!ZoneRestricts(q_.zone, unit.species) || book_.HasUnit(unit.id)) return;
  book_.AddUnit(std::move(unit));
}

void RingListBuilder::AddOwner(Owner owner) {
  const int64_t id = owner.id;
  owners_.emplace(id, std::move(owner));
}

void RingListBuilder::AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
                              const std::string& disease, const std::string& vaccine,
                              int64_t head_count) {
  book_.AddDose(animal_ids, administered_on, disease, vaccine, head_count);
}

RingList RingListBuilder::Finish() {
  RingList out;
  out.today = q_.today;
  for (size_t i = 0; i < book_.size(); ++i) {
    const Animal& unit = book_.unit(i);
    RingHolding& h = holdings_[holding_index_.at(*unit.holding_id)];
    RingUnit u;
    u.unit = unit;
    u.coverage = disease_ != nullptr ? book_.Coverage(i, *disease_) : DiseaseCoverage{};
    u.head = unit.is_flock() ? std::max<int64_t>(unit.head_count, 0) : 1;
    h.head += u.head;
    if (u.coverage.state != CoverageState::kCovered) h.head_uncovered += u.head;
    h.units.push_back(std::move(u));
  }
  const auto unit_key = [](const RingUnit& u) {
    return std::tuple<int, Date, bool, std::string_view, int64_t>(
        CoverageRank(u.coverage), u.coverage.covered_until.value_or(Date()), u.unit.is_flock(),
        u.unit.tag ? std::string_view(*u.unit.tag) : std::string_view(u.unit.species), u.unit.id);
  };
  for (RingHolding& h : holdings_) {
    std::sort(h.units.begin(), h.units.end(),
              [&](const RingUnit& a, const RingUnit& b) { return unit_key(a) < unit_key(b); });
  }
  // Rings in order; within one, those with heads to vaccinate, then those all covered, then those
  // with no animal of the species registered; nearest first.
  const auto holding_key = [](const RingHolding& h) {
    const int need = h.head_uncovered > 0 ? 0 : (h.units.empty() ? 2 : 1);
    return std::tuple<int, int, int64_t, int64_t>(RingRank(h.ring), need, h.distance_m.value_or(0),
                                                  h.holding.id);
  };
  std::sort(holdings_.begin(), holdings_.end(), [&](const RingHolding& a, const RingHolding& b) {
    return holding_key(a) < holding_key(b);
  });
  if (holdings_.size() > q_.max_holdings) {
    holdings_.resize(q_.max_holdings);
    out.truncated = true;
  }
  // The owners the holdings kept name, by id.
  std::vector<int64_t> named;
  for (const RingHolding& h : holdings_) {
    if (h.holding.owner_id) named.push_back(*h.holding.owner_id);
    for (const RingUnit& u : h.units) named.push_back(u.unit.owner_id);
  }
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  for (int64_t id : named) {
    auto it = owners_.find(id);
    if (it != owners_.end()) out.owners.push_back(std::move(it->second));
  }
  out.holdings = std::move(holdings_);
  return out;
}

}  // namespace herdpass
