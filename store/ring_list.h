// What a W14 ring list (RingQuery in store.h) lists, worked out once for both backends: the store
// core feeds the candidate holdings (a box round a zone of radii, or its authorities' holdings),
// and each backend then reads the units on the holdings kept, their owners and their doses with
// set-based statements of its own (RecordCodecs::ReadRing). Which holdings a zone holds is
// ZoneRingOf (domain/outbreak.h), the rule issuance applies; coverage is the W2 rule, through the
// UnitDoseBook the due list uses too.
//
// Not thread-safe: one builder per call.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "store/store.h"
#include "store/unit_doses.h"

namespace herdpass {

class RingListBuilder {
 public:
  // REQUIRES: query.catalogue not null and knows query.zone.disease; `query` outlives the builder.
  explicit RingListBuilder(const RingQuery& query);

  // A candidate holding: kept when the zone holds it and it is open today. Call before the rest.
  void AddHolding(Holding holding);
  // The ids of the holdings kept, ascending: what the backend reads the units of.
  std::vector<int64_t> HoldingIds() const;

  // Then, in any order: every animal or flock whose current holding is one of HoldingIds() (those
  // ended, of other species or elsewhere are left out), every owner they or the holdings name,
  // and every non-voided record of their current and earlier owners.
  void AddUnit(Animal unit);
  void AddOwner(Owner owner);
  void AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
               const std::string& disease, const std::string& vaccine, int64_t head_count);

  RingList Finish();

 private:
  const RingQuery& q_;
  const Disease* disease_;
  std::vector<RingHolding> holdings_;
  std::unordered_map<int64_t, size_t> holding_index_;  // holding id -> index into holdings_
  std::unordered_map<int64_t, Owner> owners_;
  UnitDoseBook book_;
};

}  // namespace herdpass
